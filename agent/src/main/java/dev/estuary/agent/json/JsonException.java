package dev.estuary.agent.json;

import java.io.IOException;

/** A text that is not the JSON expected; the message names the offset and what was wrong. */
public final class JsonException extends IOException {
  public JsonException(String message) {
    super(message);
  }
}
