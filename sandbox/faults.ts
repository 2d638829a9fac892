/**
 * Fault injection: rules that make matching requests slow, fail, get rate-limited or lose their connection.
 * The first active rule that matches a request applies (rules are not combined); a rule with `times`
 * applies to that many requests and then stays listed, inactive, with its hit count.
 */
import { compilePattern, type CompiledPattern } from './router';

export interface FaultSpec {
	/** HTTP method to match; any when absent or "*". */
	method?: string;
	/** Path pattern (`/echo/:id`, `/diadoc/*`), matched exactly. */
	path?: string;
	/** Path prefix, the alternative to `path`. Neither: every request outside /__sandbox. */
	prefix?: string;
	/** Delay before the fault (or the normal answer, when the rule does nothing else). */
	latencyMs?: number;
	/** Answer with this status instead of calling the route. */
	status?: number;
	/** Body of that answer: a string as is, anything else as JSON. */
	body?: unknown;
	headers?: Record<string, string>;
	/** Seconds or an HTTP date, sent as Retry-After; implies status 429 when `status` is absent. */
	retryAfter?: number | string;
	/** Destroy the connection instead of answering. */
	drop?: boolean;
	/** Apply to the next N matching requests; unlimited when absent. */
	times?: number;
}

export interface Fault extends FaultSpec {
	id: string;
	hits: number;
	/** Requests the rule still applies to; null = unlimited. */
	remaining: number | null;
}

export class FaultSpecError extends Error {}

function validate(spec: FaultSpec): void {
	if (!spec || typeof spec !== 'object') throw new FaultSpecError('a fault must be a JSON object');
	const acts = spec.latencyMs !== undefined || spec.status !== undefined || spec.retryAfter !== undefined || spec.drop === true;
	if (!acts) throw new FaultSpecError('a fault needs latencyMs, status, retryAfter or drop');
	if (spec.path !== undefined && spec.prefix !== undefined) throw new FaultSpecError('use either path or prefix, not both');
	if (spec.latencyMs !== undefined && !(Number.isFinite(spec.latencyMs) && spec.latencyMs >= 0)) {
		throw new FaultSpecError('latencyMs must be a non-negative number');
	}
	if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 100 && spec.status <= 599)) {
		throw new FaultSpecError('status must be an HTTP status code');
	}
	if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times > 0)) {
		throw new FaultSpecError('times must be a positive integer');
	}
}

interface Rule {
	fault: Fault;
	pattern?: CompiledPattern;
}

export class FaultRegistry {
	private rules: Rule[] = [];
	private nextId = 1;

	add(spec: FaultSpec): Fault {
		validate(spec);
		const fault: Fault = {
			...spec,
			method: spec.method?.toUpperCase(),
			id: `fault-${this.nextId++}`,
			hits: 0,
			remaining: spec.times ?? null,
		};
		this.rules.push({ fault, pattern: spec.path !== undefined ? compilePattern(spec.path) : undefined });
		return { ...fault };
	}

	remove(id: string): boolean {
		const before = this.rules.length;
		this.rules = this.rules.filter((rule) => rule.fault.id !== id);
		return this.rules.length !== before;
	}

	clear(): void {
		this.rules = [];
	}

	list(): Fault[] {
		return this.rules.map((rule) => ({ ...rule.fault }));
	}

	/** The rule for this request, counted as applied; undefined when none matches. */
	take(method: string, path: string): Fault | undefined {
		for (const rule of this.rules) {
			const { fault } = rule;
			if (fault.remaining === 0) continue;
			if (fault.method && fault.method !== '*' && fault.method !== method.toUpperCase()) continue;
			if (rule.pattern && !rule.pattern.match(path)) continue;
			if (fault.prefix !== undefined && !path.startsWith(fault.prefix)) continue;
			fault.hits += 1;
			if (fault.remaining !== null) fault.remaining -= 1;
			return { ...fault };
		}
		return undefined;
	}
}
