import { main } from '@tollgate/service-runtime';
import { billingDefinition } from './billing.definition';

main(billingDefinition);
