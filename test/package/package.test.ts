/**
 * The built package as n8n sees it: `npm test` builds `dist/` first; here n8n-core's own PackageDirectoryLoader
 * (what n8n uses for community packages) loads it, and `npm pack` must ship only what n8n needs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PackageDirectoryLoader } from 'n8n-core';

const root = join(__dirname, '..', '..');
const pkg = require(join(root, 'package.json'));
const built = existsSync(join(root, 'dist'));

(built ? describe : describe.skip)('the built package', () => {
	it('declares the n8n section the way n8n expects', () => {
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
			expect(file).toMatch(/^dist\/.+\.js$/);
			expect(existsSync(join(root, file))).toBe(true);
		}
	});

	it('loads every node and credential through n8n-core PackageDirectoryLoader', async () => {
		const loader = new PackageDirectoryLoader(root);
		await loader.loadAll();
		expect(loader.packageName).toBe('n8n-nodes-edo');
		const nodeNames = loader.types.nodes.map((node) => node.name);
		const credentialNames = loader.types.credentials.map((credential) => credential.name);
		expect(nodeNames).toHaveLength(pkg.n8n.nodes.length);
		expect(credentialNames).toHaveLength(pkg.n8n.credentials.length);
		for (const node of loader.types.nodes) {
			expect(node.iconUrl ?? node.icon).toBeTruthy();
			expect(node.codex?.categories?.length).toBeGreaterThan(0);
		}
		for (const credential of loader.types.credentials) {
			expect(credential.displayName).toBeTruthy();
			expect(loader.known.credentials[credential.name]?.supportedNodes?.length).toBeGreaterThan(0);
		}
	});

	it('packs a tarball holding only dist, package.json, README, LICENSE and the empty index.js', () => {
		const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root }).toString();
		const files: string[] = JSON.parse(out)[0].files.map((file: { path: string }) => file.path);
		// index.js is the (empty) `main` of the package, as in n8n's starter: npm always packs it.
		const unexpected = files.filter((file) => !/^(dist\/|package\.json$|README\.md$|LICENSE(\.md)?$|index\.js$)/.test(file));
		expect(unexpected).toEqual([]);
		expect(files).toContain('dist/nodes/EdoCrypto/EdoCrypto.node.js');
		expect(files.some((file) => file.endsWith('.svg'))).toBe(true);
		expect(files.some((file) => file.includes('.test.'))).toBe(false);
		expect(files.some((file) => file.startsWith('dist/test/') || file.startsWith('dist/sandbox/'))).toBe(false);
	});
});
