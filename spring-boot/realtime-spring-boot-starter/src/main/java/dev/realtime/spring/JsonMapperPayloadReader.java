package dev.realtime.spring;

import dev.realtime.Message;
import java.lang.reflect.Type;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads payloads with the application's Jackson 3 mapper, the one Spring Boot 4 configures, so a
 * listener's types are read with the application's modules, naming strategy and settings, and
 * generic types ({@code List<Order>}) keep their parameters. Jackson 3 is optional: this is the
 * only class that touches it, created only when the application has a mapper.
 */
final class JsonMapperPayloadReader implements PayloadReader {
  private final ObjectMapper mapper;

  JsonMapperPayloadReader(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public Object read(Message message, Type type) {
    return mapper.readValue(message.payload(), mapper.constructType(type));
  }
}
