// The shared local Entra ID + Graph (packages/testkit/src/microsoft); one place to import it from.
export { startMicrosoftFake, type MicrosoftFake } from '../../testkit/src/microsoft/index';
