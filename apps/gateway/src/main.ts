import 'reflect-metadata';
import { main } from '@tollgate/service-runtime';
import { gatewayDefinition } from './gateway.definition';

main(gatewayDefinition);
