import { main } from '@tollgate/service-runtime';
import { webhooksDefinition } from './webhooks.definition';

main(webhooksDefinition);
