package dev.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The fast path must be indistinguishable from {@code Instant}'s own: the same text written, the
 * same instant read, the same texts refused. Any difference would change what a CloudEvents
 * reader sees, or a message's time after a round trip.
 */
class Rfc3339Test {
  @Property(tries = 5000)
  void writesWhatInstantToStringWrites(@ForAll("instants") Instant time) {
    assertThat(Rfc3339.format(time)).isEqualTo(time.toString());
  }

  @Property(tries = 5000)
  void readsWhatInstantParseReads(@ForAll("instants") Instant time) {
    assertThat(Rfc3339.parse(time.toString())).isEqualTo(time);
  }

  @Property(tries = 2000)
  void readsEveryFractionLength(@ForAll("instants") Instant time) {
    String whole = time.toString().replaceFirst("(\\.\\d+)?Z$", "");
    String nanos = String.format("%09d", time.getNano());
    for (int digits = 1; digits <= 9; digits++) {
      String text = whole + "." + nanos.substring(0, digits) + "Z";
      assertThat(Rfc3339.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Example
  void handsOtherFormsToInstantParse() {
    for (String text : new String[] {"2026-11-24T10:15:30+01:00", "+12026-01-01T00:00:00Z",
        "-0001-01-01T00:00:00Z", "2026-11-24t10:15:30z", "2016-12-31T23:59:60Z",
        "2026-11-24T10:15:30.Z"}) {
      assertThat(Rfc3339.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Example
  void refusesWhatInstantParseRefuses() {
    for (String text : new String[] {"", "yesterday", "2026-02-30T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-11-24T25:00:00Z", "2026-11-24T10:61:00Z",
        "2026-11-24T10:15:30.1234567890Z", "2026-11-24 10:15:30Z",
        "2026-1a-24T10:15:30Z", "2026-11-24T10:15:30.12x4Z"}) {
      assertThatThrownBy(() -> Rfc3339.parse(text)).as(text)
          .isInstanceOf(DateTimeParseException.class);
    }
  }

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Long> seconds = Arbitraries.longs().between(
        Instant.parse("-0100-01-01T00:00:00Z").getEpochSecond(),
        Instant.parse("+10100-01-01T00:00:00Z").getEpochSecond());
    Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.just(0),
        Arbitraries.integers().between(0, 999).map(n -> n * 1_000_000),
        Arbitraries.integers().between(0, 999_999).map(n -> n * 1000),
        Arbitraries.integers().between(0, 999_999_999));
    return Combinators.combine(seconds, nanos).as(Instant::ofEpochSecond);
  }
}
