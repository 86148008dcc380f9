import { ConfigurationError } from "../../errors.js";

/** The language model specification {@link AiSdkModel} speaks: `@ai-sdk/provider` 3.x's. */
const SPECIFICATION = "v3";

/**
 * Checks, at construction, that `model` is a provider model of the specification kern speaks, so
 * a model id string, a model from another AI SDK generation or another object fails before any
 * run starts, saying what to pass instead. TypeScript catches most of this; JavaScript and
 * casts do not.
 */
export function checkLanguageModel(model: unknown): void {
  if (typeof model === "string") {
    throw new ConfigurationError(
      `AiSdkModel takes a provider's model object, not the string '${model}': ` +
        `new AiSdkModel(openai("gpt-5.4")) with openai from @ai-sdk/openai (model id strings need the \`ai\` package's gateway).`,
    );
  }
  if (typeof model !== "object" || model === null) {
    throw new ConfigurationError(
      `AiSdkModel takes a provider's model object, e.g. new AiSdkModel(openai("gpt-5.4")), not ${String(model)}.`,
    );
  }
  const { specificationVersion, doGenerate, doStream } = model as Record<string, unknown>;
  if (specificationVersion !== SPECIFICATION) {
    const implemented =
      typeof specificationVersion === "string"
        ? `implements the AI SDK's language model specification ${specificationVersion}`
        : "is not an AI SDK language model (it has no specificationVersion)";
    throw new ConfigurationError(
      `AiSdkModel was given a model that ${implemented}; it needs specification ${SPECIFICATION}, which ` +
        `the provider packages built on @ai-sdk/provider 3.x implement: install those majors, ` +
        `e.g. npm install @ai-sdk/openai@3 @ai-sdk/provider@3.`,
    );
  }
  if (typeof doGenerate !== "function" || typeof doStream !== "function") {
    throw new ConfigurationError(
      "AiSdkModel was given a model without doGenerate() and doStream(); pass a model a provider package created.",
    );
  }
}
