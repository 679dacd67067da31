package ai.universal.chat;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A function the model may call.
 *
 * @param name        function name
 * @param description description (may be null)
 * @param parameters  JSON schema of the arguments (may be null)
 */
record ToolSpec(String name, String description, JsonNode parameters) {
}
