package dev.realtime.spring;

import dev.realtime.Message;
import java.lang.reflect.Type;

/** Reads a message's payload as a listener parameter's type. */
interface PayloadReader {
  /**
   * Returns the payload of {@code message} as {@code type}.
   *
   * @throws Exception if the payload is not a {@code type}
   */
  Object read(Message message, Type type) throws Exception;
}
