import { createHash } from 'node:crypto';
import { explicit, octetString, sequence } from './der';

export type KdfHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** ANSI X9.63 KDF (SEC 1 3.6.1): Hash(Z || counter32 || SharedInfo) for counter = 1, 2, … truncated to `length`. */
export function ansiX963Kdf(hash: KdfHash, sharedSecret: Uint8Array, sharedInfo: Uint8Array, length: number): Buffer {
	const blocks: Buffer[] = [];
	let produced = 0;
	for (let counter = 1; produced < length; counter++) {
		const counterBytes = Buffer.alloc(4);
		counterBytes.writeUInt32BE(counter);
		const block = createHash(hash).update(sharedSecret).update(counterBytes).update(sharedInfo).digest();
		blocks.push(block);
		produced += block.length;
	}
	return Buffer.concat(blocks).subarray(0, length);
}

/**
 * ECC-CMS-SharedInfo (RFC 5753 7.2): keyInfo = the key wrap AlgorithmIdentifier, entityUInfo [0] = the UKM
 * only when the sender supplied one (an empty OCTET STRING is not the same as none: the KEK would differ),
 * suppPubInfo [2] = the KEK length in bits as four big-endian octets.
 */
export function eccCmsSharedInfo(
	keyWrapAlgorithmDer: Uint8Array,
	ukm: Uint8Array | undefined,
	kekLength: number,
): Buffer {
	const bits = Buffer.alloc(4);
	bits.writeUInt32BE(kekLength * 8);
	const parts: Uint8Array[] = [keyWrapAlgorithmDer];
	if (ukm !== undefined) parts.push(explicit(0, octetString(ukm)));
	parts.push(explicit(2, octetString(bits)));
	return sequence(...parts);
}
