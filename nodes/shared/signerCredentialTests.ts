import { edoCertificateTest } from './certificateCredentialTest';
import { edoRemoteSignerTest } from './remoteSignerCredentialTest';

/**
 * The tests of the two signer credentials, for the `methods.credentialTest` of every node that signs. The
 * node's `description.credentials` entries still name them as literals (`testedBy: 'edoCertificateTest'`):
 * n8n's lint rule credential-test-required reads `testedBy` only from object literals in the .node.ts file.
 */
export const signerCredentialTests = { edoCertificateTest, edoRemoteSignerTest };
