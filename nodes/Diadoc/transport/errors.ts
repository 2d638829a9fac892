/**
 * A problem with what the user set up (an empty field, a missing token, a file too large), found before or
 * instead of a call: the node shows it as a NodeOperationError with the hint as its description.
 */
export class DiadocUsageError extends Error {
	constructor(
		message: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'DiadocUsageError';
	}
}
