/**
 * Builds the package and packs it the way it is published (`npm pack`), for installing into n8n.
 */
import fs from 'fs';
import path from 'path';

import { cleanNpmEnv } from '../install';
import { runCommand, seconds } from './process';
import { REPO_ROOT } from './sandbox';

export interface PackedPackage {
	tarball: string;
	name: string;
	version: string;
	/** Node and credential files the package.json `n8n` section lists. */
	nodes: string[];
	credentials: string[];
	buildSeconds: number;
}

interface PackageJson {
	name: string;
	version: string;
	n8n: { nodes: string[]; credentials: string[] };
}

export function readPackageJson(): PackageJson {
	return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/** Node type names (`n8n-nodes-edo.taxcom`) from the package.json `n8n.nodes` list: the class name, camel-cased. */
export function listedNodeTypes(pkg = readPackageJson()): string[] {
	return pkg.n8n.nodes.map((file) => {
		const className = path.basename(file).replace(/\.node\.js$/, '');
		return `${pkg.name}.${className[0].toLowerCase()}${className.slice(1)}`;
	});
}

export async function buildAndPack(outDir: string, options: { skipBuild?: boolean } = {}): Promise<PackedPackage> {
	const started = Date.now();
	const env = cleanNpmEnv();
	if (!options.skipBuild) {
		const build = await runCommand('npm', ['run', 'build'], { cwd: REPO_ROOT, env, timeoutMs: 600_000 });
		if (build.code !== 0) throw new Error(`npm run build failed\n${build.stdout.slice(-3000)}\n${build.stderr.slice(-3000)}`);
	}
	fs.mkdirSync(outDir, { recursive: true });
	// The build above is the prepack step; --ignore-scripts keeps npm pack from building a second time.
	const pack = await runCommand('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', outDir], { cwd: REPO_ROOT, env, timeoutMs: 300_000 });
	if (pack.code !== 0) throw new Error(`npm pack failed\n${pack.stderr.slice(-3000)}`);
	const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
	const tarball = path.join(outDir, packed[0].filename);
	const inTarball = new Set(packed[0].files.map((f) => f.path));
	const described = await describeTarball(tarball);
	const missing = [...described.nodes, ...described.credentials].filter((file) => !inTarball.has(file));
	if (missing.length) throw new Error(`the tarball lacks files its package.json lists: ${missing.join(', ')}`);
	return { ...described, buildSeconds: seconds(started) };
}

/** The package.json inside a tarball: what n8n will load (a given tarball may predate the working tree). */
export async function describeTarball(tarball: string): Promise<PackedPackage> {
	const read = await runCommand('tar', ['-xzOf', tarball, 'package/package.json'], { timeoutMs: 60_000 });
	if (read.code !== 0) throw new Error(`cannot read package/package.json from ${tarball}: ${read.stderr}`);
	const pkg = JSON.parse(read.stdout) as PackageJson;
	return { tarball: path.resolve(tarball), name: pkg.name, version: pkg.version, nodes: pkg.n8n.nodes, credentials: pkg.n8n.credentials, buildSeconds: 0 };
}

/** Node type names of a packed package. */
export function packedNodeTypes(packed: PackedPackage): string[] {
	return listedNodeTypes({ name: packed.name, version: packed.version, n8n: { nodes: packed.nodes, credentials: packed.credentials } });
}

/** Credential type names (`edoCertificate`) of a packed package. */
export function packedCredentialTypes(packed: PackedPackage): string[] {
	return packed.credentials.map((file) => {
		const className = path.basename(file).replace(/\.credentials\.js$/, '');
		return `${className[0].toLowerCase()}${className.slice(1)}`;
	});
}
