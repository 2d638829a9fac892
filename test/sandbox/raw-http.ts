/** A minimal HTTP(S) client on node:http for sandbox tests: one connection per request unless an agent is given. */
import { request as httpRequest, type Agent } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
	text: string;
	json<T = any>(): T;
}

export interface RawOptions {
	method?: string;
	headers?: Record<string, string>;
	body?: string | Buffer | object;
	ca?: string;
	cert?: string;
	key?: string;
	agent?: Agent | false;
}

export function rawRequest(url: string, options: RawOptions = {}): Promise<RawResponse> {
	const target = new URL(url);
	const headers: Record<string, string> = { ...options.headers };
	let payload: Buffer | undefined;
	if (options.body !== undefined) {
		if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) payload = Buffer.from(options.body);
		else {
			payload = Buffer.from(JSON.stringify(options.body));
			headers['content-type'] ??= 'application/json';
		}
		headers['content-length'] = String(payload.length);
	}
	const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
	return new Promise((resolve, reject) => {
		const req = send(
			target,
			{ method: options.method ?? 'GET', headers, agent: options.agent ?? false, ca: options.ca, cert: options.cert, key: options.key },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () => {
					const body = Buffer.concat(chunks);
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						body,
						text: body.toString('utf8'),
						json: () => JSON.parse(body.toString('utf8')),
					});
				});
			},
		);
		req.on('error', reject);
		req.end(payload);
	});
}
