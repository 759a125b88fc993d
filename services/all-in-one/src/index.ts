export { ALL_SERVICES } from './services';
export { seedRequests, type SeededRequest } from './seed-requests';
