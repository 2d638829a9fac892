export { runNode, readBinary, NODE_UNDER_TEST, type RunNodeOptions, type RunNodeResult } from './run-node';
export { testCredential } from './credential-test';
export type { TestItem, TestBinary } from './input-node';
export type { BinaryDataMode } from './environment';
export { pemCredential, pfxCredential, createPfx, encryptedKeyPem, opensslThumbprint } from './credentials';
