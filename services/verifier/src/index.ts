export { startVerifier } from './service';
export { verifyInbound, type VerifierDeps } from './process';
