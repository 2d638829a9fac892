/**
 * Assertions on what n8n returned and on what the sandbox received.
 */
import assert from 'assert/strict';
import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

import { nodeOutput, type ExecutionRun } from './n8n';
import type { RecordedRequest } from './sandbox';
import { gostOpensslConfig } from '../../test/helpers/gost-openssl';

export { assert };

/** The run ended without an error and every named node produced at least one item. */
export function assertSucceeded(run: ExecutionRun | undefined, nodes: string[]): asserts run is ExecutionRun {
	assert.ok(run, 'n8n printed no run data');
	const error = run.data.resultData.error;
	assert.equal(error, undefined, `the workflow failed at "${error?.node?.name ?? '?'}": ${error?.message ?? ''} ${error?.description ?? ''}`);
	for (const name of nodes) {
		assert.ok(nodeOutput(run, name).length > 0, `node "${name}" output no items`);
	}
}

/** The only (first) output item of a node. */
export function single(run: ExecutionRun, nodeName: string, output = 0): Record<string, unknown> {
	const items = nodeOutput(run, nodeName, output);
	assert.ok(items.length >= 1, `node "${nodeName}" output ${items.length} items on output ${output}`);
	return items[0];
}

export type ExpectedRequest = [method: string, path: string | RegExp, status: number];

/** The sandbox received exactly these requests, in this order (method, path, answered status). */
export function assertRequests(requests: RecordedRequest[], expected: ExpectedRequest[], scope?: string): void {
	const seen = requests.filter((r) => !scope || r.path.startsWith(scope)).map((r) => `${r.method} ${r.path} → ${r.status}`);
	const matches =
		seen.length === expected.length &&
		expected.every(([method, pathPattern, status], index) => {
			const request = requests.filter((r) => !scope || r.path.startsWith(scope))[index];
			const pathOk = typeof pathPattern === 'string' ? request.path === pathPattern : pathPattern.test(request.path);
			return request.method === method && pathOk && request.status === status;
		});
	assert.ok(
		matches,
		`the sandbox received:\n  ${seen.join('\n  ') || '(nothing)'}\nexpected:\n  ${expected.map(([m, p, s]) => `${m} ${String(p)} → ${s}`).join('\n  ')}`,
	);
}

export function findRequest(requests: RecordedRequest[], method: string, path: string | RegExp): RecordedRequest {
	const found = requests.find((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
	assert.ok(found, `no ${method} ${String(path)} among the sandbox's requests`);
	return found;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function assertBase64(value: unknown, what: string): Buffer {
	assert.equal(typeof value, 'string', `${what} is not a string`);
	assert.match(value as string, BASE64, `${what} is not base64`);
	return Buffer.from(value as string, 'base64');
}

let opensslChecked: boolean | undefined;

export function hasOpenssl(): boolean {
	opensslChecked ??= spawnSync('openssl', ['version']).status === 0;
	return opensslChecked;
}

/**
 * Verifies a detached CMS signature over `content` with the openssl CLI (the independent implementation); the
 * signer's certificate is `certificatePem`, or the one the CMS carries (self-signed: chain checks are off).
 */
/** OpenSSL with its GOST engine loaded when installed (the demo identity is a GOST certificate); RSA/ECDSA unaffected. */
function opensslEnv(): NodeJS.ProcessEnv {
	try {
		return { ...process.env, OPENSSL_CONF: gostOpensslConfig() };
	} catch {
		return process.env;
	}
}

export function opensslVerifyDetached(signatureDer: Buffer, content: Buffer, certificatePem?: string): void {
	if (!hasOpenssl()) return;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edo-e2e-verify-'));
	try {
		const sig = path.join(dir, 'sig.der');
		const data = path.join(dir, 'content.bin');
		const cert = path.join(dir, 'signer.pem');
		fs.writeFileSync(sig, signatureDer);
		fs.writeFileSync(data, content);
		if (certificatePem) fs.writeFileSync(cert, certificatePem);
		const result = spawnSync(
			'openssl',
			['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', data, '-noverify', ...(certificatePem ? ['-certfile', cert] : []), '-out', '/dev/null'],
			{ encoding: 'utf8', env: opensslEnv() },
		);
		assert.equal(result.status, 0, `openssl cms -verify refused the signature: ${result.stderr}`);
		const signer = spawnSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', sig], { encoding: 'utf8', env: opensslEnv() });
		assert.equal(signer.status, 0, `openssl could not print the CMS: ${signer.stderr}`);
		assert.match(signer.stdout, /eContent: <ABSENT>/, 'the signature is not detached');
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}
