export {
  startChaosEngine,
  type ChaosEngine,
  type EngineCall,
  type EngineMode,
} from './chaos-engine';
export { startFleet, type Fleet, type FleetMember, type ServiceKind } from './fleet';
export { FULL_PROFILE, SHORT_PROFILE, seededRandom, type ChaosProfile } from './profile';
export { failures, formatReport, type ChaosReport } from './report';
export { runChaos, type ChaosOptions, type SeedRequests } from './scenario';
export { startSmtpGate, type SmtpGate } from './smtp-gate';
