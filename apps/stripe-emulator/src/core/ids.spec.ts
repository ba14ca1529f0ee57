import { newId } from './ids';

describe('newId', () => {
  it('makes Stripe-shaped ids', () => {
    expect(newId('cus', 14)).toMatch(/^cus_[0-9A-Za-z]{14}$/);
    expect(newId('sub_1')).toMatch(/^sub_1[0-9A-Za-z]{24}$/);
  });
});
