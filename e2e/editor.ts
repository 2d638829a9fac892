/**
 * `npm run test:editor`: the n8n editor in a real browser (Debian's Chromium driven by playwright-core; no
 * browser download). Starts the demo set-up (sandbox, n8n with the package, credentials, examples) unless
 * --url points at a running demo, signs in, and checks, in the light and the dark theme:
 * - every example's canvas shows this package's node icons (the themed variant), screenshot per example;
 * - the node panel finds each node of the package by name, with its icon;
 * - a node's parameters show only what applies to its operation;
 * - the credential form opens and its test passes ("Connection tested successfully").
 * Screenshots go to docs/images/ (--out DIR). Options: --n8n 1|2, --url URL, --tarball FILE, --skip-build.
 * The last line is "N passed, N failed".
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { BrowserContext, Page } from 'playwright-core';

import { parseLineArgs, type N8nLineId } from './install';
import { assert } from './lib/assertions';
import { REPO_ROOT, type WorkflowFile, loadWorkflows, EXAMPLES_DIR } from './lib/fixtures';
import { N8nRestClient, OWNER } from './lib/n8n';
import { freePort, killAllTracked, removeScratch, seconds } from './lib/process';
import { prepareInstance, type PreparedInstance } from './lib/setup';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

type Theme = 'light' | 'dark';

interface Options {
	line: N8nLineId;
	url?: string;
	out: string;
	tarball?: string;
	skipBuild: boolean;
}

function parseOptions(argv: string[]): Options {
	const options: Options = { line: '1', out: path.join(REPO_ROOT, 'docs', 'images'), skipBuild: false };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => inline ?? argv[++i];
		if (flag === '--n8n' || flag === '--line') options.line = parseLineArgs([value()])[0];
		else if (flag === '--url') options.url = value().replace(/\/+$/, '');
		else if (flag === '--out') options.out = path.resolve(value());
		else if (flag === '--tarball') options.tarball = path.resolve(value());
		else if (flag === '--skip-build') options.skipBuild = true;
		else throw new Error(`unknown option ${argv[i]}`);
	}
	return options;
}

/** Parameters that must (and must not) show in a node's panel, by node name in an example workflow. */
interface PanelCheck {
	workflowId: string;
	node: string;
	shows: string[];
	hides: string[];
	/** Screenshot file stem, when this panel goes into the README. */
	shot?: string;
	/** Credentials the node's credential selector must offer (n8n picks the signer by the credential chosen). */
	offers?: string[];
}

const PANEL_CHECKS: PanelCheck[] = [
	{
		workflowId: 'edoTaxcomStepByStep',
		node: 'Cloud Certificate Login',
		shows: ['operation', 'trustedCertificateEncoding', 'decryptToken'],
		hides: ['assistantKey', 'loginMethod', 'requestPath', 'sessionSource'],
		shot: 'node-taxcom-cloud-login',
	},
	{
		workflowId: 'edoTaxcomStepByStep',
		node: 'Activate Session',
		shows: ['operation', 'assistantKey'],
		hides: ['trustedCertificateEncoding', 'decryptToken', 'loginMethod', 'requestPath'],
	},
	{
		workflowId: 'edoTaxcomStepByStep',
		node: 'Decrypt Token',
		shows: ['operation', 'envelopeSource', 'envelopeBinaryPropertyName', 'outputFormat', 'outputField'],
		hides: ['envelope', 'outputBinaryPropertyName', 'hashAlgorithm'],
		shot: 'node-edo-crypto-decrypt',
		offers: ['EDO Certificate (sandbox)', 'EDO Remote Signer (sandbox)'],
	},
	{
		workflowId: 'edoTranscryptLogin',
		node: 'Login by Detached Signature',
		shows: ['operation', 'secretSource', 'secret', 'signatureSource'],
		hides: ['signature', 'signatureBinaryPropertyName', 'secretPath', 'requestPath'],
	},
	{
		workflowId: 'edoDiadocDssSigning',
		node: 'DSS Sign',
		shows: ['operation'],
		hides: ['requestPath'],
		shot: 'node-diadoc-dss-sign',
	},
];

/** The credential whose form is opened (from this node's panel) and screenshotted. */
const CREDENTIAL_FORM = { workflowId: 'edoTaxcomStepByStep', node: 'Cloud Certificate Login', shot: 'credential-taxcom' };

interface Outcome {
	name: string;
	ok: boolean;
	error?: string;
}

const outcomes: Outcome[] = [];

async function test(name: string, body: () => Promise<void>): Promise<void> {
	const started = Date.now();
	try {
		await body();
		outcomes.push({ name, ok: true });
		console.log(`  ✓ ${name} (${seconds(started)} s)`);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		outcomes.push({ name, ok: false, error: message });
		console.log(`  ✗ ${name} (${seconds(started)} s)\n${message.split('\n').map((l) => `      ${l}`).join('\n')}`);
	}
}

async function launch(theme: Theme): Promise<BrowserContext> {
	// Loaded here so that the rest of the e2e code does not need playwright-core installed.
	const { chromium } = await import('playwright-core');
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edo-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_FLAGS,
		viewport: { width: 1440, height: 900 },
		deviceScaleFactor: 1,
		colorScheme: theme,
	});
	await context.addInitScript((chosen: string) => {
		// Runs in the page: n8n reads its theme override from localStorage.
		(globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('N8N_THEME', chosen);
	}, theme);
	// Chromium may still be writing its profile as the context closes.
	context.on('close', () => removeScratch(userDataDir));
	return context;
}

async function signIn(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	const email = page.locator('input[name=emailOrLdapLoginId], input[name=email]').first();
	await email.waitFor({ timeout: 60_000 });
	await email.fill(OWNER.email);
	await page.locator('input[name=password]').fill(OWNER.password);
	await page.locator('[data-test-id=form-submit-button]').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 60_000 });
}

async function openWorkflow(page: Page, baseUrl: string, id: string): Promise<void> {
	await page.goto(`${baseUrl}/workflow/${id}`);
	await page.locator('[data-test-id=canvas-node]').first().waitFor({ timeout: 60_000 });
	await closeOverlays(page);
	await page.locator('[data-test-id=zoom-to-fit]').click();
	// Away from the controls, so that no tooltip shows in the screenshot.
	await page.mouse.move(720, 120);
	await page.waitForTimeout(800);
}

/** Surveys, banners and the assistant panel that may cover the canvas. */
async function closeOverlays(page: Page): Promise<void> {
	await page.keyboard.press('Escape');
	for (const selector of ['[data-test-id=close-chat-button]']) {
		const element = page.locator(selector).first();
		if (await element.isVisible().catch(() => false)) await element.click().catch(() => undefined);
	}
}

/** Runs the open workflow from the editor ("Execute workflow") and waits for it to end without a failed node. */
async function executeInEditor(page: Page): Promise<number> {
	await page.locator('[data-test-id=execute-workflow-button]').click();
	const stop = page.locator('[data-test-id=stop-execution-button]');
	await stop.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
	await stop.waitFor({ state: 'detached', timeout: 120_000 });
	await page.waitForTimeout(500);
	const failed = await page.locator('[data-test-id=canvas-node-status-error]').count();
	assert.equal(failed, 0, `${failed} node(s) failed when the workflow ran in the editor`);
	const succeeded = await page.locator('[data-test-id=canvas-node-status-success]').count();
	assert.ok(succeeded > 1, 'no node shows a successful run');
	return succeeded;
}

/** Icons of this package's nodes inside `scope`: each must have loaded, in the theme's variant. */
async function assertIcons(page: Page, scope: string, theme: Theme, expected: number): Promise<void> {
	const icons = await page.$$eval(`${scope} img[src*="n8n-nodes-edo"]`, (images) =>
		images.map((image) => ({ src: image.getAttribute('src') ?? '', width: (image as unknown as { naturalWidth: number }).naturalWidth })),
	);
	assert.ok(icons.length >= expected, `expected ${expected} icons of the package in ${scope}, found ${icons.length}`);
	for (const icon of icons) {
		assert.ok(icon.width > 0, `icon ${icon.src} did not load`);
		assert.equal(icon.src.endsWith('.dark.svg'), theme === 'dark', `the ${theme} theme shows ${icon.src}`);
	}
}

async function itemNames(page: Page): Promise<string[]> {
	return await page.$$eval('[data-test-id=node-creator-item-name]', (items) => items.map((item) => item.textContent?.trim() ?? ''));
}

async function visibleParameters(page: Page): Promise<string[]> {
	return await page.$$eval('[data-test-id=node-parameters] [data-test-id$=-parameter-input-options-container]', (elements) =>
		elements
			.filter((element) => (element as unknown as { offsetParent: unknown }).offsetParent !== null)
			.map((element) => (element.getAttribute('data-test-id') ?? '').replace(/-parameter-input-options-container$/, '')),
	);
}

async function openNode(page: Page, node: string): Promise<void> {
	await page.locator(`[data-test-id=canvas-node][data-node-name="${node}"]`).dblclick();
	await page.locator('[data-test-id=ndv]').waitFor({ timeout: 30_000 });
	await page.locator('[data-test-id=node-parameters]').waitFor({ timeout: 30_000 });
	await page.waitForTimeout(500);
}

async function runTheme(theme: Theme, baseUrl: string, workflows: WorkflowFile[], displayNames: Map<string, string>, out: string): Promise<void> {
	const context = await launch(theme);
	const page = context.pages()[0] ?? (await context.newPage());
	const suffix = theme === 'dark' ? '-dark' : '';
	try {
		await test(`[${theme}] sign in as the demo owner`, async () => await signIn(page, baseUrl));

		for (const workflow of workflows) {
			if (theme === 'dark' && workflow !== workflows[0]) continue;
			await test(`[${theme}] ${workflow.id}: the canvas shows the package's icons; the workflow runs from the editor`, async () => {
				await openWorkflow(page, baseUrl, workflow.id);
				const ours = workflow.json.nodes.filter((node) => node.type.startsWith('n8n-nodes-edo.')).length;
				await assertIcons(page, '[data-test-id=canvas-wrapper]', theme, ours);
				await executeInEditor(page);
				for (const close of await page.locator('.el-notification__closeBtn').all()) await close.click().catch(() => undefined);
				await page.locator('[data-test-id=zoom-to-fit]').click();
				// One step out, so that the "Execute workflow" button covers no node.
				await page.locator('[data-test-id=zoom-out-button]').click();
				await page.mouse.move(720, 120);
				await page.waitForTimeout(600);
				await page.screenshot({ path: path.join(out, `example-${path.basename(workflow.file, '.json')}${suffix}.png`) });
			});
		}

		await test(`[${theme}] the node panel finds ${[...displayNames.values()].join(', ')}`, async () => {
			await openWorkflow(page, baseUrl, workflows[0].id);
			for (const [type, displayName] of displayNames) {
				await page.locator('[data-test-id=node-creator-plus-button]').click();
				const search = page.locator('[data-test-id=node-creator-search-bar] input, [data-test-id=node-creator] input').first();
				await search.waitFor({ timeout: 15_000 });
				await search.fill(displayName);
				await page.waitForTimeout(700);
				const names = await itemNames(page);
				assert.ok(names.includes(displayName), `searching "${displayName}" (${type}) listed: ${names.join(', ') || 'nothing'}`);
				await assertIcons(page, '[data-test-id=node-creator]', theme, 1);
				// The node's page in the panel: its description and its actions (one per operation).
				await page.locator('[data-test-id=node-creator-item-name]', { hasText: displayName }).first().click();
				await page.locator('[data-test-id=node-creator]', { hasText: /Actions \(\d+\)/ }).waitFor({ timeout: 15_000 });
				await page.waitForTimeout(500);
				const actions = await itemNames(page);
				assert.ok(actions.length >= 2, `the panel of ${displayName} lists no actions: ${actions.join(', ')}`);
				await assertIcons(page, '[data-test-id=node-creator]', theme, actions.length);
				const stem = type.split('.')[1].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
				await page.locator('[data-test-id=node-creator]').screenshot({ path: path.join(out, `node-panel-${stem}${suffix}.png`) });
				for (let i = 0; i < 3 && (await page.locator('[data-test-id=node-creator]').isVisible()); i++) {
					await page.keyboard.press('Escape');
					await page.waitForTimeout(300);
				}
			}
		});

		for (const check of PANEL_CHECKS) {
			const workflow = workflows.find((w) => w.id === check.workflowId);
			if (!workflow || (theme === 'dark' && !check.shot)) continue;
			await test(`[${theme}] "${check.node}" shows only the parameters of its operation`, async () => {
				await openWorkflow(page, baseUrl, workflow.id);
				await openNode(page, check.node);
				const visible = await visibleParameters(page);
				const missing = check.shows.filter((name) => !visible.includes(name));
				const extra = check.hides.filter((name) => visible.includes(name));
				assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `visible parameters: ${visible.join(', ')}`);
				if (check.shot) await page.screenshot({ path: path.join(out, `${check.shot}${suffix}.png`) });
				if (check.offers) {
					await page.locator('[data-test-id=node-credentials-select]').first().click();
					await page.waitForTimeout(600);
					const offered = await page.$$eval('[data-test-id^=node-credentials-select-item-]', (items) =>
						items.filter((item) => (item as unknown as { offsetParent: unknown }).offsetParent !== null).map((item) => item.textContent?.trim() ?? ''),
					);
					for (const name of check.offers) {
						assert.ok(offered.some((text) => text.startsWith(name)), `the credential selector does not offer ${name}: ${offered.join(' | ')}`);
					}
					await page.keyboard.press('Escape');
				}
			});
		}

		const credentialWorkflow = workflows.find((w) => w.id === CREDENTIAL_FORM.workflowId);
		if (credentialWorkflow) {
			await test(`[${theme}] the credential form opens from the node and its test passes`, async () => {
				await openWorkflow(page, baseUrl, credentialWorkflow.id);
				await openNode(page, CREDENTIAL_FORM.node);
				await page.locator('[data-test-id=credential-edit-button]').first().click();
				await page.locator('[data-test-id=credential-edit-dialog]').waitFor({ timeout: 30_000 });
				await page.locator('[data-test-id=credentials-config-container-test-success]').waitFor({ timeout: 60_000 });
				await page.waitForTimeout(300);
				await page.screenshot({ path: path.join(out, `${CREDENTIAL_FORM.shot}${suffix}.png`) });
			});
		}
	} finally {
		await context.close();
	}
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	fs.mkdirSync(options.out, { recursive: true });
	let prepared: PreparedInstance | undefined;
	let baseUrl = options.url;
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edo-editor-'));
	try {
		let workflows: WorkflowFile[];
		if (!baseUrl) {
			prepared = await prepareInstance({ line: options.line, workDir, tarball: options.tarball, skipBuild: options.skipBuild });
			const port = await freePort();
			await prepared.n8n.startServer(port, { logFile: path.join(workDir, 'n8n.log') });
			baseUrl = `http://localhost:${port}`;
			workflows = prepared.workflows;
		} else {
			workflows = loadWorkflows(EXAMPLES_DIR);
		}
		const rest = new N8nRestClient(baseUrl);
		await rest.ensureOwnerAndLogin();
		const served = await rest.nodeTypes();
		workflows = workflows.filter((workflow) => workflow.packageNodeTypes.every((type) => served.some((node) => node.name === type)));
		const displayNames = new Map(
			served.filter((node) => node.name.startsWith('n8n-nodes-edo.') && !node.name.endsWith('Tool')).map((node) => [node.name, node.displayName]),
		);
		console.log(`editor: ${baseUrl}; examples: ${workflows.map((w) => w.id).join(', ')}; screenshots: ${options.out}`);
		for (const theme of ['light', 'dark'] as const) await runTheme(theme, baseUrl, workflows, displayNames, options.out);
	} catch (error) {
		outcomes.push({ name: 'editor set-up', ok: false, error: String(error) });
		console.log(`  ✗ editor set-up\n      ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
	} finally {
		await prepared?.n8n.stopServer();
		await prepared?.sandbox.stop();
		killAllTracked();
		removeScratch(workDir);
	}
	const failed = outcomes.filter((outcome) => !outcome.ok).length;
	console.log(`\n${outcomes.length - failed} passed, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

void main();
