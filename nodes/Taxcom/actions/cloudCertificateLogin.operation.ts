import type { INodeProperties } from 'n8n-workflow';

import { tokenLoginDescription, tokenLoginExecutor } from './tokenLogin';

/** POST CloudCertificateLogin: the cloud account of the credential, TrustedCertificate = the EDO Certificate. */
export const description: INodeProperties[] = tokenLoginDescription('cloudCertificateLogin', 'cloud');

export const execute = tokenLoginExecutor('cloud');
