package dev.realtime.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Reads XINFO GROUPS: one flat list of field names and values per group. */
final class GroupInfos {
  /** One group; {@code lag} is null before Redis 7 and when Redis cannot tell it. */
  record Group(String name, long pending, @Nullable Long lag) {}

  private GroupInfos() {}

  static List<Group> read(List<Object> reply) {
    List<Group> groups = new ArrayList<>();
    for (Object item : reply) {
      if (!(item instanceof List)) {
        continue;
      }
      List<?> fields = (List<?>) item;
      Map<String, Object> byName = new HashMap<>();
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        byName.put(text(fields.get(i)), fields.get(i + 1));
      }
      Object pending = byName.get("pending");
      groups.add(new Group(text(byName.get("name")),
          pending instanceof Long ? (Long) pending : 0L, number(byName.get("lag"))));
    }
    return groups;
  }

  private static @Nullable Long number(@Nullable Object value) {
    if (value instanceof Long) {
      return (Long) value;
    }
    try {
      return value == null ? null : Long.valueOf(text(value));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String text(@Nullable Object value) {
    if (value instanceof byte[]) {
      return new String((byte[]) value, StandardCharsets.UTF_8);
    }
    return String.valueOf(value);
  }
}
