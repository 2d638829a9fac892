// n8n's community-node rules in their self-hosted form (configWithoutCloudSupport).
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
	{
		// This package is for self-hosted n8n only: it needs undici, pkijs, asn1js, @peculiar/x509 and
		// node-forge at run time, which n8n installs for unverified community packages.
		files: ['package.json'],
		rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' },
	},
	{
		// lib/ is the n8n-independent core (it never imports n8n-workflow); the node layer turns its errors into
		// NodeApiError/NodeOperationError with the item index, so this node-only rule does not apply there.
		files: ['lib/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
];
