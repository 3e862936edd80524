package dev.realtime.kafka;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.channel.InvalidChannelException;
import dev.realtime.channel.PrefixedNaming;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.statistics.Statistics;

/**
 * The naming rules hold for every valid channel, not only the examples: injective, within the
 * backends' limits, inverted by {@code channelOf}, and consistent with pattern matching. Kafka's
 * topic naming escapes, which makes it the one to check hardest; the {@link PrefixedNaming}s the
 * other adapters build run through the same properties.
 */
class ChannelNamingPropertiesTest {
  /** MAX_CHANNEL_LENGTH: the generators reach it. */
  private static final int MAX_CHANNEL_LENGTH = 164;

  private static final Pattern KAFKA_TOPIC = Pattern.compile("[A-Za-z0-9._-]+");

  private final ChannelNaming kafka = KafkaTopicNaming.of("realtime");
  private final List<ChannelNaming> namings =
      List.of(
          kafka,
          KafkaTopicNaming.of(""),
          KafkaTopicNaming.of("my.app-1"),
          prefixed("realtime", ":", Integer.MAX_VALUE, ""),
          prefixed("", ":", Integer.MAX_VALUE, ""),
          prefixed("realtime", ".", 255, "amq."),
          prefixed("", ".", 255, "amq."));

  /** The other kind of naming, as the Redis and RabbitMQ adapters build theirs. */
  private static ChannelNaming prefixed(String prefix, String separator, int max,
      String reserved) {
    return PrefixedNaming.builder("Backend", "name").prefix(prefix, "realtime.test.prefix")
        .separator(separator).maxLength(max).reserved(reserved).build();
  }

  @Property
  void everyNamingInvertsItself(@ForAll("channels") Channel channel) {
    for (ChannelNaming naming : namings) {
      Optional<String> name = backendName(naming, channel);
      if (name.isPresent()) {
        assertThat(naming.channelOf(name.get())).as("%s", naming).contains(channel);
        assertThat(name.get().length()).isLessThanOrEqualTo(naming.maxLength());
      }
    }
  }

  @Property
  void distinctChannelsGetDistinctNames(@ForAll("pairs") Tuple2<Channel, Channel> pair) {
    Channel a = pair.get1();
    Channel b = pair.get2();
    Assume.that(!a.equals(b));
    for (ChannelNaming naming : namings) {
      Optional<String> nameA = backendName(naming, a);
      Optional<String> nameB = backendName(naming, b);
      if (nameA.isPresent() && nameB.isPresent()) {
        assertThat(nameA.get()).as("%s", naming).isNotEqualTo(nameB.get());
      }
    }
  }

  @Property
  void kafkaTopicsNeverCollideOnDotVersusUnderscore(
      @ForAll("pairs") Tuple2<Channel, Channel> pair) {
    Assume.that(!pair.get1().equals(pair.get2()));
    Optional<String> a = backendName(kafka, pair.get1());
    Optional<String> b = backendName(kafka, pair.get2());
    Assume.that(a.isPresent() && b.isPresent());
    // Kafka refuses a topic that differs from an existing one only in '.' versus '_'.
    assertThat(a.get().replace('.', '_')).isNotEqualTo(b.get().replace('.', '_'));
  }

  @Property
  void kafkaTopicsAreLegalOrRefusedForLength(@ForAll("channels") Channel channel) {
    String name = channel.name();
    long underscores = name.chars().filter(c -> c == '_').count();
    long expectedLength = "realtime_".length() + name.length() + underscores;
    try {
      String topic = kafka.backendName(channel);
      Statistics.label("kafka").collect("accepted");
      assertThat(topic).matches(KAFKA_TOPIC).isNotIn(".", "..").hasSize((int) expectedLength);
      assertThat(topic.length()).isLessThanOrEqualTo(249);
    } catch (InvalidChannelException refused) {
      Statistics.label("kafka").collect("refused");
      assertThat(expectedLength).isGreaterThan(249);
      assertThat(refused.channel()).isEqualTo(name);
      assertThat(refused).hasMessageContaining("Kafka allows at most 249");
    }
    // The generator must reach past the limit, or the refusal branch above proves nothing.
    Statistics.label("kafka").coverage(checker -> checker.check("refused").count(n -> n > 0));
  }

  @Property
  void backendPatternsSelectExactlyWhatPatternsMatch(@ForAll("patternCases") PatternCase c) {
    for (Channel channel : c.channels) {
      Statistics.label("pattern matches").collect(c.pattern.matches(channel));
    }
    for (ChannelNaming naming : namings) {
      Pattern regex = naming.backendPattern(c.pattern);
      for (Channel channel : c.channels) {
        Optional<String> name = backendName(naming, channel);
        if (name.isPresent()) {
          assertThat(regex.matcher(name.get()).matches())
              .as("%s: %s on %s (regex %s)", naming, c.pattern, channel, regex)
              .isEqualTo(c.pattern.matches(channel));
        }
      }
    }
  }

  @Provide
  Arbitrary<Channel> channels() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, mixedChannels()),
        Tuple.of(2, underscoreHeavyChannels()),
        Tuple.of(
            1,
            Arbitraries.of("a", "user.1", "user_1", "private-_x", "a-b.c_d", "-")
                .map(Channel::of)));
  }

  @Provide
  Arbitrary<Tuple2<Channel, Channel>> pairs() {
    Arbitrary<Tuple2<Channel, Channel>> unrelated =
        Combinators.combine(channels(), channels()).as(Tuple::of);
    Arbitrary<Tuple2<Channel, Channel>> neighbours =
        Combinators.combine(channels(), Arbitraries.longs())
            .as((channel, seed) -> Tuple.of(channel, swapSeparator(channel, new Random(seed))));
    return Arbitraries.frequencyOf(Tuple.of(1, unrelated), Tuple.of(3, neighbours));
  }

  @Provide
  Arbitrary<PatternCase> patternCases() {
    return Combinators.combine(channels(), channels(), Arbitraries.longs()).as(PatternCase::of);
  }

  /**
   * Names from random characters, repaired into the grammar: any mix of segments, runs, type
   * prefixes and lengths up to the limit.
   */
  private static Arbitrary<Channel> mixedChannels() {
    Arbitrary<String> typePrefixes =
        Arbitraries.frequency(Tuple.of(6, ""), Tuple.of(1, "private-"), Tuple.of(1, "presence-"));
    Arbitrary<Character> characters =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.chars().alpha().numeric()),
            Tuple.of(1, Arbitraries.just('-')),
            Tuple.of(3, Arbitraries.just('.')),
            Tuple.of(3, Arbitraries.just('_')));
    Arbitrary<List<Character>> bodies =
        characters.list().ofMinSize(1).ofMaxSize(MAX_CHANNEL_LENGTH);
    return Combinators.combine(typePrefixes, bodies)
        .as(ChannelNamingPropertiesTest::repair)
        .map(Channel::of);
  }

  /**
   * Single characters joined mostly by {@code '_'}: the names whose Kafka topics grow most, up to
   * past Kafka's limit.
   */
  private static Arbitrary<Channel> underscoreHeavyChannels() {
    Arbitrary<Integer> counts =
        Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.integers().between(1, 82)),
            Tuple.of(1, Arbitraries.integers().between(75, 82)));
    Arbitrary<Integer> dotsInTen = Arbitraries.of(0, 1, 3);
    return Combinators.combine(counts, dotsInTen, Arbitraries.longs())
        .as(
            (count, dots, seed) -> {
              Random random = new Random(seed);
              StringBuilder name = new StringBuilder();
              for (int i = 0; i < count; i++) {
                if (i > 0) {
                  name.append(random.nextInt(10) < dots ? '.' : '_');
                }
                name.append((char) ('a' + random.nextInt(26)));
              }
              return Channel.of(name.toString());
            });
  }

  /** Turns random characters into a valid name by replacing each misplaced separator by 'x'. */
  private static String repair(String typePrefix, List<Character> body) {
    int length = Math.min(body.size(), MAX_CHANNEL_LENGTH - typePrefix.length());
    char[] name = new char[length];
    for (int i = 0; i < length; i++) {
      char c = body.get(i);
      if (c == '.' || c == '_') {
        // After a type prefix's '-', a '_' is fine ("private-_x"); a '.' would leave no name.
        boolean atStart = i == 0 && (typePrefix.isEmpty() || c == '.');
        boolean atEnd = i == length - 1;
        boolean afterSeparator = i > 0 && (name[i - 1] == '.' || name[i - 1] == '_');
        if (atStart || atEnd || afterSeparator) {
          c = 'x';
        }
      }
      name[i] = c;
    }
    return typePrefix + new String(name);
  }

  /** The seed's collision: the same name with one '.' read as '_' or the other way round. */
  private static Channel swapSeparator(Channel channel, Random random) {
    String name = channel.name();
    List<Integer> separators = new ArrayList<>();
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) == '.' || name.charAt(i) == '_') {
        separators.add(i);
      }
    }
    if (separators.isEmpty()) {
      return channel;
    }
    int at = separators.get(random.nextInt(separators.size()));
    char swapped = name.charAt(at) == '.' ? '_' : '.';
    Channel neighbour = parse(name.substring(0, at) + swapped + name.substring(at + 1));
    return neighbour != null ? neighbour : channel;
  }

  /** The channel of that name, or null if the name breaks the grammar. */
  private static Channel parse(String name) {
    try {
      return Channel.of(name);
    } catch (InvalidChannelException e) {
      return null;
    }
  }

  private static Optional<String> backendName(ChannelNaming naming, Channel channel) {
    try {
      return Optional.of(naming.backendName(channel));
    } catch (InvalidChannelException refused) {
      return Optional.empty();
    }
  }

  /** A pattern made from a channel, with the channels to try it on: the source and near misses. */
  static final class PatternCase {
    final ChannelPattern pattern;
    final List<Channel> channels;

    private PatternCase(ChannelPattern pattern, List<Channel> channels) {
      this.pattern = pattern;
      this.channels = channels;
    }

    static PatternCase of(Channel source, Channel other, long seed) {
      Random random = new Random(seed);
      List<String> segments = new ArrayList<>(source.segments());
      for (int i = 0; i < segments.size(); i++) {
        if (random.nextInt(3) == 0) {
          segments.set(i, "*");
        }
      }
      switch (random.nextInt(4)) {
        case 0:
          segments = new ArrayList<>(segments.subList(0, random.nextInt(segments.size() + 1)));
          segments.add("#");
          break;
        case 1:
          segments.add(random.nextInt(segments.size() + 1), "#");
          break;
        case 2:
          segments.set(random.nextInt(segments.size()), "#");
          break;
        default:
          break;
      }
      List<Channel> channels = new ArrayList<>();
      channels.add(source);
      channels.add(other);
      String name = source.name();
      addIfValid(channels, name + ".x");
      addIfValid(channels, name + ".x.y");
      addIfValid(channels, name.substring(0, Math.max(name.lastIndexOf('.'), 0)));
      addIfValid(channels, name.substring(name.indexOf('.') + 1));
      addIfValid(channels, "zz." + name);
      addIfValid(channels, name.replace('.', '_'));
      return new PatternCase(ChannelPattern.of(String.join(".", segments)), channels);
    }

    private static void addIfValid(List<Channel> channels, String name) {
      Channel channel = parse(name);
      if (channel != null) {
        channels.add(channel);
      }
    }

    @Override
    public String toString() {
      return pattern + " on " + channels;
    }
  }
}
