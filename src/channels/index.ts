/**
 * `kern/channels`: events about pauses and decisions, delivered from the Db's outbox to webhooks
 * (signed, retried, exactly once per receiver that answers 2xx), to Slack (through the optional
 * peer `@slack/web-api`, imported on first use) or to channels of your own.
 * It loads no HTTP framework, so a receiver can import `verifyWebhookSignature` alone.
 */
export type { Channel, ChannelEvent, ChannelEventType } from "./channel.js";
export {
  type Backoff,
  checkDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  dispatchWebhooks,
  startDispatcher,
} from "./dispatcher.js";
export { SIGNATURE_HEADER, verifyWebhookSignature } from "./signature.js";
export { checkSlackChannel, type SlackChannelOptions, slackChannel } from "./slack-channel.js";
export {
  type SlackAnswer,
  type SlackClient,
  type SlackConnection,
  type SlackMessage,
  slackClientOf,
  slackOk,
} from "./slack-client.js";
export {
  APPROVE_ACTION,
  decidedMessage,
  REJECT_ACTION,
  refOf,
  type SlackDecisionRef,
  type SlackRequirementView,
} from "./slack-message.js";
export { type SlackSignedRequest, verifySlackSignature } from "./slack-signature.js";
export { type EventLink, type WebhookOptions, type WebhookPayload, webhookChannel } from "./webhook.js";
