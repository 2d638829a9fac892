import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { createContentHash } from '../../lib/crypto/hash';
import type { HashAlgorithm } from '../../lib/crypto/signer';

export interface BinaryBytes {
	bytes: Buffer;
	metadata: IBinaryData;
}

/** The whole content of an input binary property; fails with n8n's own message when it is missing. */
export async function readBinaryProperty(
	context: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
): Promise<BinaryBytes> {
	const metadata = context.helpers.assertBinaryData(itemIndex, propertyName);
	const bytes = await context.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	return { bytes, metadata };
}

export interface BinaryDigest {
	digest: Buffer;
	metadata: IBinaryData;
	/** Whether the content was streamed (stored by id) rather than read into memory. */
	streamed: boolean;
}

/**
 * Hashes an input binary property. Binary data that n8n stores outside the execution (filesystem, S3) is
 * streamed, so a large file is never held in memory whole; inline binary data is already in memory.
 */
export async function digestBinaryProperty(
	context: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	hashAlgorithm: HashAlgorithm,
): Promise<BinaryDigest> {
	const metadata = context.helpers.assertBinaryData(itemIndex, propertyName);
	const hash = createContentHash(hashAlgorithm);
	if (metadata.id && typeof context.helpers.getBinaryStream === 'function') {
		const stream = await context.helpers.getBinaryStream(metadata.id);
		for await (const chunk of stream) hash.update(chunk as Buffer);
		return { digest: hash.digest(), metadata, streamed: true };
	}
	hash.update(await context.helpers.getBinaryDataBuffer(itemIndex, propertyName));
	return { digest: hash.digest(), metadata, streamed: false };
}

/** Stores output bytes through n8n's binary data service. */
export async function toBinaryData(
	context: IExecuteFunctions,
	bytes: Buffer,
	fileName: string,
	mimeType?: string,
): Promise<IBinaryData> {
	return await context.helpers.prepareBinaryData(bytes, fileName, mimeType);
}
