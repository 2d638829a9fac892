export { SandboxServer, SandboxReply, json, text, error } from './server';
export type {
	RecordedRequest,
	RouteHandler,
	RouteInfo,
	SandboxEmulator,
	SandboxRequest,
	SandboxResponse,
	SandboxRouter,
	SandboxServerOptions,
	SandboxTlsOptions,
} from './server';
export { TestClock } from './clock';
export { FaultRegistry } from './faults';
export type { Fault, FaultSpec } from './faults';
export { generateSelfSignedCert } from './tls';
export type { PemPair } from './tls';
export { emulators, mountAllEmulators } from './emulators';
