import type { PausedToolCall } from "../runs/index.js";

export type { PausedToolCall };

/** Everything an agent run reports while it runs, discriminated by `event`. */
export type AgentEvent =
  | { event: "RunStarted"; runId: string; sessionId: string; agentName: string }
  | { event: "RunContinued"; runId: string; sessionId: string; agentName: string }
  | { event: "RunContent"; runId: string; agentName: string; delta: string }
  | {
      event: "ToolCallStarted";
      runId: string;
      agentName: string;
      toolCallId: string;
      toolName: string;
      toolArgs: Record<string, unknown>;
    }
  | {
      event: "ToolCallCompleted";
      runId: string;
      agentName: string;
      toolCallId: string;
      toolName: string;
      result: string | null;
      error: string | null;
    }
  | { event: "RunPaused"; runId: string; sessionId: string; agentName: string; requirements: PausedToolCall[] }
  | { event: "RunCompleted"; runId: string; sessionId: string; agentName: string; content: string | null }
  | { event: "RunCancelled"; runId: string; sessionId: string; agentName: string; reason: string }
  | {
      event: "RunError";
      runId: string;
      sessionId: string;
      agentName: string;
      error: { code: string; message: string };
    };

export type AgentEventName = AgentEvent["event"];

/** Receives events as they happen. */
export type AgentEventListener = (event: AgentEvent) => void;
