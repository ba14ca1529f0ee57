// Jest's globalSetup does not apply moduleNameMapper, so resolve the @tollgate/* aliases from tsconfig here.
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../../tsconfig.json';

register({ baseUrl: `${__dirname}/../..`, paths: compilerOptions.paths });

export default async function globalSetup(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { assertServicesUp } = require('./environment') as typeof import('./environment');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { dropStaleTestDatabases, ensureTemplate } = require('./database') as typeof import('./database');
  await assertServicesUp();
  await ensureTemplate();
  await dropStaleTestDatabases();
}
