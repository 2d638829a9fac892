import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as apiRequestSend from './actions/apiRequest/send.operation';
import * as dssGetResult from './actions/dss/getResult.operation';
import * as dssShelfUpload from './actions/dss/shelfUpload.operation';
import * as dssSign from './actions/dss/sign.operation';
import * as dssSignAndWait from './actions/dss/signAndWait.operation';
import * as confirmRegistration from './actions/registration/confirmRegistration.operation';
import * as register from './actions/registration/register.operation';
import * as registerWithProof from './actions/registration/registerWithProof.operation';
import { router } from './actions/router';
import { signerCredentialTests } from '../shared/signerCredentialTests';
import { diadocApiTest, diadocOAuth2ApiTest } from './helpers/credentialTests';

export class Diadoc implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Diadoc',
		name: 'diadoc',
		icon: { light: 'file:diadoc.svg', dark: 'file:diadoc.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ ({ confirmRegistration: "Confirm Registration", register: "Register", registerWithProof: "Register With Ownership Proof", getResult: "DSS Get Result", shelfUpload: "Shelf Upload", sign: "DSS Sign", signAndWait: "DSS Sign and Wait", send: "Send API Request" })[$parameter["operation"]] }}',
		description: 'Kontur Diadoc: registration with proof of key ownership, DSS cloud signing, shelf uploads and any API method',
		defaults: { name: 'Diadoc' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'diadocOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } }, testedBy: 'diadocOAuth2ApiTest' },
			{ name: 'diadocApi', required: true, displayOptions: { show: { authentication: ['diadocAuth'] } }, testedBy: 'diadocApiTest' },
			{
				// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed
				name: 'edoCertificate',
				required: true,
				testedBy: 'edoCertificateTest',
				displayOptions: { show: { signer: ['edoCertificate'] } },
			},
			{
				name: 'edoRemoteSigner',
				required: true,
				testedBy: 'edoRemoteSignerTest',
				displayOptions: { show: { signer: ['edoRemoteSigner'] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'OAuth2 (OpenID Connect)', value: 'oAuth2' },
					{ name: 'Diadoc API Token (Legacy)', value: 'diadocAuth' },
				],
				default: 'oAuth2',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'API Request', value: 'apiRequest' },
					{ name: 'DSS', value: 'dss', description: 'Cloud signing with a DSS certificate or Goskey' },
					{ name: 'Registration', value: 'registration', description: 'Register a certificate, with proof of key ownership' },
				],
				default: 'registration',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['registration'] } },
				options: [
					{ name: 'Confirm Registration', value: 'confirmRegistration', action: 'Confirm a registration with a signature', description: 'RegisterConfirm: prove possession of the key' },
					{ name: 'Register', value: 'register', action: 'Register a certificate', description: 'One Register call' },
					{
						name: 'Register With Ownership Proof',
						value: 'registerWithProof',
						action: 'Register a certificate with proof of ownership',
						description: 'Register, sign DataToSign, RegisterConfirm, Register again and wait while in progress',
					},
				],
				default: 'registerWithProof',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['dss'] } },
				options: [
					{ name: 'Get Result', value: 'getResult', action: 'Get the result of DSS signing', description: 'One DssSignResult call' },
					{ name: 'Shelf Upload', value: 'shelfUpload', action: 'Upload a file to the shelf', description: 'Put a large file on the shelf for DSS Sign' },
					{ name: 'Sign', value: 'sign', action: 'Start DSS signing', description: 'Start signing; returns the TaskId' },
					{ name: 'Sign and Wait', value: 'signAndWait', action: 'Sign with DSS and wait for the result', description: 'Start signing and poll until it ends' },
				],
				default: 'signAndWait',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['apiRequest'] } },
				options: [{ name: 'Send', value: 'send', action: 'Send an API request', description: 'Any Diadoc method with the credential' }],
				default: 'send',
			},
			{
				displayName: 'Signer',
				name: 'signer',
				type: 'options',
				options: [
					{ name: 'None', value: 'none' },
					{ name: 'EDO Certificate', value: 'edoCertificate', description: 'A certificate with its private key (EDO Certificate credential)' },
					{ name: 'EDO Remote Signer', value: 'edoRemoteSigner', description: 'A key held by a remote signing service, CSC API (EDO Remote Signer credential)' },
				],
				default: 'none',
				description: 'Signs and decrypts where a step needs it: certificate authentication (Diadoc API credential in Certificate mode)',
				displayOptions: { hide: { resource: ['registration'] } },
			},
			{
				displayName: 'Signer',
				name: 'signer',
				type: 'options',
				options: [
					{ name: 'None', value: 'none', description: 'Use a signature given in the input' },
					{ name: 'EDO Certificate', value: 'edoCertificate', description: 'A certificate with its private key (EDO Certificate credential)' },
					{ name: 'EDO Remote Signer', value: 'edoRemoteSigner', description: 'A key held by a remote signing service, CSC API (EDO Remote Signer credential)' },
				],
				default: 'edoCertificate',
				description: 'Signs the ownership proof, gives the certificate to register, and decrypts for certificate authentication',
				displayOptions: { show: { resource: ['registration'] } },
			},
			...register.description,
			...confirmRegistration.description,
			...registerWithProof.description,
			...dssSign.description,
			...dssGetResult.description,
			...dssSignAndWait.description,
			...dssShelfUpload.description,
			...apiRequestSend.description,
		],
	};

	methods = {
		credentialTest: { diadocOAuth2ApiTest, diadocApiTest, ...signerCredentialTests },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
