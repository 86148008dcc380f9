import { ConfigurationError } from "../errors.js";
import type { Channel, ChannelEvent } from "./channel.js";
import { type SlackConnection, slackClientOf, slackOk } from "./slack-client.js";
import { pauseMessage, type SlackRequirementView } from "./slack-message.js";

export interface SlackChannelOptions extends SlackConnection {
  /** The conversation the bot posts to (a channel id such as `C0123ABCD`); invite the bot to it. */
  channel: string;
  /**
   * What to show of a pause event's requirement, read from the stored run: a message each (an
   * executor pause posts one per tool call it waits on); none once it was decided before the event
   * was sent. createServer({ slack }) supplies it.
   */
  describe(event: ChannelEvent): Promise<readonly SlackRequirementView[]>;
  /** The channel's name in the outbox (default "slack"). */
  name?: string;
}

/**
 * A channel that posts each pause to Slack with Approve / Reject buttons (a requirement that needs
 * input or a route points to the inbox instead). The buttons carry the requirement and a digest of
 * what was shown; an interaction endpoint (createServer({ slack }) mounts one) applies them.
 *
 * Slack has no idempotency key: a dispatcher that crashes between Slack's answer and storing the
 * delivery posts the message again after its lease. Both copies decide the same requirement, once.
 */
export function slackChannel(options: SlackChannelOptions): Channel {
  const where = "slackChannel()";
  const client = slackClientOf(where, options);
  const { channel, describe } = options;
  checkSlackChannel(where, channel);
  return {
    name: options.name ?? "slack",
    events: ["requirement.paused"],
    async deliver(event) {
      for (const view of await describe(event))
        slackOk("chat.postMessage", await (await client()).chat.postMessage({ channel, ...pauseMessage(view) }));
    },
  };
}

/** Throws ConfigurationError unless `channel` names a conversation. */
export function checkSlackChannel(where: string, channel: unknown): void {
  if (typeof channel !== "string" || channel.trim() === "")
    throw new ConfigurationError(`${where} needs the \`channel\` to post to, a conversation id such as "C0123ABCD".`);
}
