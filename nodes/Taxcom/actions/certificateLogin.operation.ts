import type { INodeProperties } from 'n8n-workflow';

import { tokenLoginDescription, tokenLoginExecutor } from './tokenLogin';

/** POST CertificateLogin with the DER certificate of the EDO Certificate credential. */
export const description: INodeProperties[] = tokenLoginDescription('certificateLogin', 'certificate');

export const execute = tokenLoginExecutor('certificate');
