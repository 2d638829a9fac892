/**
 * Points of a GOST R 34.10 curve y^2 = x^3 + ax + b and the scalar multiplications signatures and VKO need.
 *
 * Formulas: the complete projective addition and doubling of Renes, Costello and Batina ("Complete addition
 * formulas for prime order elliptic curves", EUROCRYPT 2016, algorithms 1 and 3, any a). Complete means one
 * branch-free sequence of field operations for every pair of points, including the identity (0 : 1 : 0) and
 * P + P. They are exception-free whenever P - Q has no order 2; all points here lie in the subgroup of prime
 * order q (keys are checked), which holds even on the TC26 curves with cofactor 4.
 *
 * TIMING. What is done for secret scalars (the signing nonce k, the private key d in VKO and key generation):
 * - fixed windows of 4 bits, one addition per window whatever the digit (a 0 digit adds the identity, which the
 *   complete formulas handle with the very same operations), and no early exit;
 * - the scalar is first made exactly bits(q) + 1 bits long (k + q or k + 2q, chosen arithmetically), so the
 *   number of windows and the length of every intermediate string do not depend on k;
 * - table entries are selected by reading the whole table and combining every entry with a 0/1 multiplier
 *   computed by arithmetic on the digit: no secret-dependent index, branch or comparison;
 * - field values are lazily reduced (no conditional subtraction), see field.ts;
 * - the only inversion (projective to affine) is blinded with a random factor before a variable-time Euclid.
 * What remains, and cannot be removed from TypeScript on BigInt:
 * - V8's BigInt operations are not constant-time: their cost grows with the operands' length in 64-bit digits,
 *   allocation and garbage collection add noise, and multiplying by 0n or 1n may take a different path than by
 *   a large value; an attacker who can time many operations on the same machine may learn something;
 * - the JIT may compile our arithmetic selects back into branches (it does not today for these shapes, but
 *   nothing guarantees it), and nothing stops secrets from lingering in the heap until collected;
 * - reductions mod q in the signature formula (s = rd + ke mod q) use BigInt `%`.
 * Verification and other operations on public data use variable-time code (direct table indexes, skipped zero
 * digits, Euclidean inversion).
 *
 * Internal model: where a is a large constant (TC26 256-A and 512-C) the arithmetic runs on the isomorphic
 * curve y^2 = x^3 + a'x + b' with a' = a u^4 small and b' = b u^6, (x, y) -> (u^2 x, u^3 y), so the three
 * multiplications by a in every addition become multiplications by a small integer. Points cross the public
 * methods in the standard's coordinates; ProjectivePoint values are internal.
 */
import type { CurveParameters } from './curves';
import { invertModulo, PrimeField } from './field';

export interface ProjectivePoint {
	X: bigint;
	Y: bigint;
	Z: bigint;
}

export interface AffinePoint {
	x: bigint;
	y: bigint;
}

const WINDOW = 4;
const TABLE_SIZE = 1 << WINDOW;
const IDENTITY: ProjectivePoint = { X: 0n, Y: 1n, Z: 0n };

/** A constant this small (in absolute value) is multiplied directly, without a reduction. */
const SMALL = 1n << 20n;

export class GostCurve {
	readonly id: string;
	readonly p: bigint;
	readonly a: bigint;
	readonly b: bigint;
	readonly q: bigint;
	readonly cofactor: bigint;
	readonly generator: AffinePoint;
	readonly field: PrimeField;
	/** Bits of q. */
	readonly orderBits: number;
	/** Windows of a scalar made bits(q) + 1 bits long. */
	private readonly windows: number;
	/** Shift of y (and then Z) when a point is packed into one BigInt for constant-time selection. */
	private readonly packShift: bigint;
	private readonly packMask: bigint;
	/** a and 3b of the internal model, and the small forms used instead of a multiplication when they exist. */
	private readonly aModel: bigint;
	private readonly aSmall: bigint | undefined;
	private readonly b3: bigint;
	private readonly b3Small: bigint | undefined;
	/** u^2, u^3 of the isomorphism to the internal model and their inverses (all 1 when there is none). */
	private readonly u2: bigint;
	private readonly u3: bigint;
	private readonly u2Inverse: bigint;
	private readonly u3Inverse: bigint;
	private readonly modelGenerator: AffinePoint;
	/** comb[i][j] = j * 16^i * G packed as (y << packShift) | x; j = 0 is the identity packed as y = 1, x = 0. */
	private comb: bigint[][] | undefined;

	constructor(id: string, parameters: CurveParameters) {
		this.id = id;
		this.p = parameters.p;
		this.a = parameters.a;
		this.b = parameters.b;
		this.q = parameters.q;
		this.cofactor = parameters.cofactor;
		this.generator = { x: parameters.x, y: parameters.y };
		this.field = new PrimeField(parameters.p);
		this.orderBits = parameters.q.toString(2).length;
		this.windows = Math.ceil((this.orderBits + 1) / WINDOW);
		this.packShift = BigInt(this.field.bytes * 8);
		this.packMask = (1n << this.packShift) - 1n;
		const model = smallModel(parameters.a, parameters.p);
		this.u2 = model.u2;
		this.u3 = (model.u2 * model.u) % parameters.p;
		this.u2Inverse = invertModulo(this.u2, parameters.p);
		this.u3Inverse = invertModulo(this.u3, parameters.p);
		this.aModel = (parameters.a * model.u2 * model.u2) % parameters.p;
		this.aSmall = smallRepresentative(this.aModel, parameters.p);
		const bModel = (parameters.b * ((this.u3 * this.u3) % parameters.p)) % parameters.p;
		this.b3 = (3n * bModel) % parameters.p;
		this.b3Small = smallRepresentative(this.b3, parameters.p);
		this.modelGenerator = this.toModel(this.generator);
	}

	/** Bytes of a coordinate and of a scalar (32 or 64). */
	get coordinateBytes(): number {
		return this.field.bytes;
	}

	isOnCurve(point: AffinePoint): boolean {
		const f = this.field;
		const { x, y } = point;
		if (x < 0n || y < 0n || x >= this.p || y >= this.p) return false;
		const right = f.mul(f.sqr(x), x) + f.mul(this.a, x) + this.b;
		return f.equal(f.sqr(y), right);
	}

	/** A public key is acceptable: on the curve, not the identity, and in the subgroup of order q. */
	isValidPublicKey(point: AffinePoint): boolean {
		if (!this.isOnCurve(point)) return false;
		if (this.cofactor === 1n) return true;
		return this.isIdentity(this.multiplyPublic(point, this.q));
	}

	isIdentity(point: ProjectivePoint): boolean {
		return this.field.normalize(point.Z) === 0n;
	}

	/** Complete addition (RCB16 algorithm 1). */
	add(P: ProjectivePoint, Q: ProjectivePoint): ProjectivePoint {
		const f = this.field;
		let t0 = f.mul(P.X, Q.X);
		let t1 = f.mul(P.Y, Q.Y);
		let t2 = f.mul(P.Z, Q.Z);
		let t3 = f.mul(P.X + P.Y, Q.X + Q.Y);
		let t4 = t0 + t1;
		t3 = t3 - t4;
		t4 = f.mul(P.X + P.Z, Q.X + Q.Z);
		let t5 = t0 + t2;
		t4 = t4 - t5;
		t5 = f.mul(P.Y + P.Z, Q.Y + Q.Z);
		let X3 = t1 + t2;
		t5 = t5 - X3;
		let Z3 = this.mulA(t4);
		X3 = this.mulB3(t2);
		Z3 = X3 + Z3;
		X3 = t1 - Z3;
		Z3 = t1 + Z3;
		let Y3 = f.mul(X3, Z3);
		t1 = t0 + t0 + t0;
		t2 = this.mulA(t2);
		t4 = this.mulB3(t4);
		t1 = t1 + t2;
		t2 = t0 - t2;
		t2 = this.mulA(t2);
		t4 = t4 + t2;
		t0 = f.mul(t1, t4);
		Y3 = Y3 + t0;
		t0 = f.mul(t5, t4);
		X3 = f.mul(t3, X3);
		X3 = X3 - t0;
		t0 = f.mul(t3, t1);
		Z3 = f.mul(t5, Z3);
		Z3 = Z3 + t0;
		return { X: X3, Y: Y3, Z: Z3 };
	}

	/** Doubling (RCB16 algorithm 3). */
	double(P: ProjectivePoint): ProjectivePoint {
		const f = this.field;
		let t0 = f.sqr(P.X);
		const t1 = f.sqr(P.Y);
		let t2 = f.sqr(P.Z);
		let t3 = f.mul(P.X, P.Y);
		t3 = t3 + t3;
		let Z3 = f.mul(P.X, P.Z);
		Z3 = Z3 + Z3;
		let X3 = this.mulA(Z3);
		let Y3 = this.mulB3(t2);
		Y3 = X3 + Y3;
		X3 = t1 - Y3;
		Y3 = t1 + Y3;
		Y3 = f.mul(X3, Y3);
		X3 = f.mul(t3, X3);
		Z3 = this.mulB3(Z3);
		t2 = this.mulA(t2);
		t3 = t0 - t2;
		t3 = this.mulA(t3);
		t3 = t3 + Z3;
		Z3 = t0 + t0;
		t0 = Z3 + t0;
		t0 = t0 + t2;
		t0 = f.mul(t0, t3);
		Y3 = Y3 + t0;
		t2 = f.mul(P.Y, P.Z);
		t2 = t2 + t2;
		t0 = f.mul(t2, t3);
		X3 = X3 - t0;
		Z3 = f.mul(t2, t1);
		Z3 = Z3 + Z3;
		Z3 = Z3 + Z3;
		return { X: X3, Y: Y3, Z: Z3 };
	}

	negate(P: ProjectivePoint): ProjectivePoint {
		return { X: P.X, Y: -P.Y, Z: P.Z };
	}

	/** Affine coordinates in [0, p) (standard model), or undefined for the identity. `secret` blinds the inversion. */
	toAffine(P: ProjectivePoint, secret = true): AffinePoint | undefined {
		const f = this.field;
		const zInverse = secret ? f.invSecret(P.Z) : f.invPublic(P.Z);
		if (zInverse === 0n) return undefined;
		return {
			x: f.normalize(f.mul(f.mul(P.X, zInverse), this.u2Inverse)),
			y: f.normalize(f.mul(f.mul(P.Y, zInverse), this.u3Inverse)),
		};
	}

	/** An affine point (standard model) as an internal projective point. */
	fromAffine(point: AffinePoint): ProjectivePoint {
		const internal = this.toModel(point);
		return { X: internal.x, Y: internal.y, Z: 1n };
	}

	/** k * G for a secret k in [1, q - 1], constant-time as described above (fixed-base comb). */
	multiplyBase(k: bigint): ProjectivePoint {
		const comb = this.combTable();
		const digits = this.secretDigits(k);
		let acc = IDENTITY;
		for (let i = 0; i < this.windows; i++) {
			acc = this.add(acc, this.selectPacked(comb[i], digits[this.windows - 1 - i]));
		}
		return acc;
	}

	/** k * P for a secret k and a public P, constant-time as described above (fixed window). */
	multiply(point: AffinePoint, k: bigint): ProjectivePoint {
		const table = this.packedMultiples(this.toModel(point));
		const digits = this.secretDigits(k);
		let acc = IDENTITY;
		for (let i = 0; i < this.windows; i++) {
			for (let d = 0; d < WINDOW; d++) acc = this.double(acc);
			acc = this.add(acc, this.selectPacked(table, digits[i]));
		}
		return acc;
	}

	/** u1 * G + u2 * P for public scalars (signature verification): interleaved windows, variable time. */
	multiplyTwoPublic(u1: bigint, u2: bigint, point: AffinePoint): ProjectivePoint {
		const baseRow = this.combTable()[0].map((packed) => this.unpack(packed, 1n));
		const pointRow = this.multiples(this.toModel(point));
		const d1 = publicDigits(u1, this.windows);
		const d2 = publicDigits(u2, this.windows);
		let acc = IDENTITY;
		for (let i = 0; i < this.windows; i++) {
			for (let d = 0; d < WINDOW; d++) acc = this.double(acc);
			if (d1[i] !== 0) acc = this.add(acc, baseRow[d1[i]]);
			if (d2[i] !== 0) acc = this.add(acc, pointRow[d2[i]]);
		}
		return acc;
	}

	/** k * P for public k and P (variable time). */
	multiplyPublic(point: AffinePoint, k: bigint): ProjectivePoint {
		const row = this.multiples(this.toModel(point));
		const digits = publicDigits(k, Math.ceil(k.toString(2).length / WINDOW));
		let acc = IDENTITY;
		for (const digit of digits) {
			for (let d = 0; d < WINDOW; d++) acc = this.double(acc);
			if (digit !== 0) acc = this.add(acc, row[digit]);
		}
		return acc;
	}

	private mulA(x: bigint): bigint {
		return this.aSmall !== undefined ? x * this.aSmall : this.field.mul(x, this.aModel);
	}

	private toModel(point: AffinePoint): AffinePoint {
		return { x: (point.x * this.u2) % this.p, y: (point.y * this.u3) % this.p };
	}

	private mulB3(x: bigint): bigint {
		return this.b3Small !== undefined ? x * this.b3Small : this.field.mul(x, this.b3);
	}

	/**
	 * The digits of k + q or k + 2q, whichever has exactly bits(q) + 1 bits (both equal k modulo q), most
	 * significant first. The choice is arithmetic: k + q has bits(q) + 1 bits exactly when its top bit is set.
	 */
	private secretDigits(k: bigint): Uint8Array {
		const once = k + this.q;
		const short = 1n - (once >> BigInt(this.orderBits));
		const fixed = once + this.q * short;
		const hex = fixed.toString(16).padStart(this.windows, '0');
		const digits = new Uint8Array(this.windows);
		const offset = hex.length - this.windows;
		for (let i = 0; i < this.windows; i++) digits[i] = hexValue(hex.charCodeAt(offset + i));
		return digits;
	}

	/** The entry `digit` of a packed table, read in full: every entry is multiplied by 0n or 1n. */
	private selectPacked(table: bigint[], digit: number): ProjectivePoint {
		let packed = 0n;
		for (let j = 0; j < TABLE_SIZE; j++) {
			const match = ((digit ^ j) - 1) >>> 31;
			packed |= table[j] * BigInt(match);
		}
		const nonZero = ((digit - 1) >>> 31) ^ 1;
		return this.unpack(packed, BigInt(nonZero));
	}

	private unpack(packed: bigint, z: bigint): ProjectivePoint {
		return { X: packed & this.packMask, Y: (packed >> this.packShift) & this.packMask, Z: z };
	}

	private pack(point: AffinePoint | undefined): bigint {
		return point ? (point.y << this.packShift) | point.x : 1n << this.packShift;
	}

	/** [O, P, 2P, ..., 15P] in projective coordinates, for P in the internal model (public data). */
	private multiples(point: AffinePoint): ProjectivePoint[] {
		const base: ProjectivePoint = { X: point.x, Y: point.y, Z: 1n };
		const row: ProjectivePoint[] = [IDENTITY, base];
		for (let j = 2; j < TABLE_SIZE; j++) row.push(j % 2 === 0 ? this.double(row[j / 2]) : this.add(row[j - 1], base));
		return row;
	}

	/** [O, P, ..., 15P] packed for constant-time selection, P in the internal model. */
	private packedMultiples(point: AffinePoint): bigint[] {
		return this.batchToAffine(this.multiples(point)).map((affine) => this.pack(affine));
	}

	private combTable(): bigint[][] {
		if (!this.comb) {
			const rows: bigint[][] = [];
			let base: ProjectivePoint = { X: this.modelGenerator.x, Y: this.modelGenerator.y, Z: 1n };
			for (let i = 0; i < this.windows; i++) {
				const row: ProjectivePoint[] = [IDENTITY, base];
				for (let j = 2; j < TABLE_SIZE; j++) row.push(this.add(row[j - 1], base));
				rows.push(this.batchToAffine(row).map((affine) => this.pack(affine)));
				base = this.double(this.double(this.double(this.double(base))));
			}
			this.comb = rows;
		}
		return this.comb;
	}

	/** Internal-model affine forms of public points with one inversion (Montgomery's trick); undefined for O. */
	private batchToAffine(points: ProjectivePoint[]): (AffinePoint | undefined)[] {
		const f = this.field;
		const zs = points.map((point) => f.normalize(point.Z));
		const prefix: bigint[] = [];
		let running = 1n;
		for (const z of zs) {
			prefix.push(running);
			if (z !== 0n) running = f.normalize(f.mul(running, z));
		}
		let inverse = invertModulo(running, this.p);
		const result: (AffinePoint | undefined)[] = new Array(points.length);
		for (let i = points.length - 1; i >= 0; i--) {
			if (zs[i] === 0n) {
				result[i] = undefined;
				continue;
			}
			const zInverse = f.normalize(f.mul(inverse, prefix[i]));
			inverse = f.normalize(f.mul(inverse, zs[i]));
			result[i] = {
				x: f.normalize(f.mul(points[i].X, zInverse)),
				y: f.normalize(f.mul(points[i].Y, zInverse)),
			};
		}
		return result;
	}
}

/**
 * u with a u^4 small, when a itself is not: for p = 3 (mod 4) the fourth powers are exactly the quadratic
 * residues, so u^4 = c/a is solvable for every small c with c/a a residue; then u^2 = sqrt(c/a) (the root that
 * is itself a residue) and u = sqrt(u^2), with sqrt(x) = x^((p+1)/4). Otherwise u = 1.
 */
function smallModel(a: bigint, p: bigint): { u: bigint; u2: bigint } {
	const identity = { u: 1n, u2: 1n };
	if (smallRepresentative(a, p) !== undefined || p % 4n !== 3n) return identity;
	const aInverse = invertModulo(a, p);
	for (const c of [-3n, 3n, -1n, 1n, 2n, -2n, 5n, -5n]) {
		const target = (((c % p) + p) * aInverse) % p;
		if (!isResidue(target, p)) continue;
		let u2 = power(target, (p + 1n) / 4n, p);
		if (!isResidue(u2, p)) u2 = p - u2;
		const u = power(u2, (p + 1n) / 4n, p);
		if ((u * u) % p === u2 && (((u2 * u2) % p) * a) % p === ((c % p) + p) % p) return { u, u2 };
	}
	return identity;
}

function isResidue(x: bigint, p: bigint): boolean {
	return power(x, (p - 1n) / 2n, p) === 1n;
}

/** x^e mod p for public values. */
function power(x: bigint, e: bigint, p: bigint): bigint {
	let result = 1n;
	let base = x % p;
	for (let rest = e; rest > 0n; rest >>= 1n) {
		if (rest & 1n) result = (result * base) % p;
		base = (base * base) % p;
	}
	return result;
}

function smallRepresentative(value: bigint, p: bigint): bigint | undefined {
	if (value < SMALL) return value;
	if (p - value < SMALL) return value - p;
	return undefined;
}

function hexValue(code: number): number {
	// '0'-'9' = 48-57, 'a'-'f' = 97-102; computed without a branch on the digit.
	const letter = (code >>> 6) & 1;
	return (code & 15) + letter * 9;
}

function publicDigits(k: bigint, windows: number): Uint8Array {
	const hex = k.toString(16).padStart(windows, '0');
	const digits = new Uint8Array(windows);
	const offset = hex.length - windows;
	for (let i = 0; i < windows; i++) digits[i] = parseInt(hex[offset + i], 16);
	return digits;
}
