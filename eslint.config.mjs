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
];
