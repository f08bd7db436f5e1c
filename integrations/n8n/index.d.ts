// Types the nodes' JSDoc refers to. The node and credential classes are checked against
// n8n's own interfaces (n8n-workflow, as installed by test-harness/) by
// `tsc -p integrations/n8n` in the "n8n node" test layer.
import type { IExecuteFunctions, ICredentialType, INodeType } from "n8n-workflow";

export type ExecuteContext = IExecuteFunctions;
export type CredentialTypeShape = ICredentialType;
export type NodeTypeShape = INodeType;
