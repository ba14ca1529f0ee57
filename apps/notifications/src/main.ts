import { main } from '@tollgate/service-runtime';
import { notificationsDefinition } from './notifications.definition';

main(notificationsDefinition);
