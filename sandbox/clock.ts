/**
 * The sandbox's notion of "now". Real time plus an offset, so time keeps flowing while tests can jump ahead
 * to make tokens, sessions or certificates expire without waiting.
 */
export class TestClock {
	private offset = 0;

	/** Milliseconds since the epoch, as the emulators see it. */
	now(): number {
		return Date.now() + this.offset;
	}

	date(): Date {
		return new Date(this.now());
	}

	get offsetMs(): number {
		return this.offset;
	}

	advance(ms: number): number {
		if (!Number.isFinite(ms)) throw new Error('advance() needs a finite number of milliseconds');
		this.offset += ms;
		return this.now();
	}

	/** Jumps to a moment (epoch ms, Date or ISO string); time keeps flowing from there. */
	set(moment: number | Date | string): number {
		const target = moment instanceof Date ? moment.getTime() : typeof moment === 'string' ? Date.parse(moment) : moment;
		if (!Number.isFinite(target)) throw new Error('set() needs epoch milliseconds, a Date or an ISO date string');
		this.offset = target - Date.now();
		return this.now();
	}

	reset(): void {
		this.offset = 0;
	}

	toJSON(): { now: number; iso: string; offsetMs: number } {
		const now = this.now();
		return { now, iso: new Date(now).toISOString(), offsetMs: this.offset };
	}
}
