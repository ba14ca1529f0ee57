import { main } from '@tollgate/service-runtime';
import { entitlementsDefinition } from './entitlements.definition';

main(entitlementsDefinition);
