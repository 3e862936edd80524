package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three forms of realtime.redis.uri (issue 16): one server, a cluster's seeds, Sentinel. */
class RedisEndpointTest {
  private static RealtimeConfig uri(String uri) {
    return RealtimeConfig.builder().set("realtime.redis.uri", uri).build();
  }

  @Test
  void aClustersSeedsEachGetTheCredentialsAndTheDescriptionShowsNone() {
    List<RedisURI> seeds = RedisEndpoint.uris(uri("redis://app:s3cr3t@10.0.0.1:7000,"
        + "10.0.0.2:7001, 10.0.0.3"));

    assertThat(seeds).extracting(RedisURI::getHost)
        .containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
    assertThat(seeds).extracting(RedisURI::getPort).containsExactly(7000, 7001, 6379);
    assertThat(seeds).allSatisfy(seed -> {
      assertThat(seed.getUsername()).isEqualTo("app");
      assertThat(new String(seed.getPassword())).isEqualTo("s3cr3t");
    });
    assertThat(RedisEndpoint.describe(seeds))
        .isEqualTo("redis://10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:6379");
  }

  /** Before issue 16, "a:1,b:2" was taken as one host name on port 6379, silently. */
  @Test
  void aSeedThatIsNotHostAndPortIsRefusedByName() {
    for (String bad : List.of("redis://10.0.0.1:7000,:7001", "redis://10.0.0.1:7000,b:port",
        "redis://10.0.0.1:7000,b:70000", "redis://10.0.0.1:7000,,b:1")) {
      assertThatThrownBy(() -> RedisEndpoint.uris(uri(bad)))
          .as(bad)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("realtime.redis.uri")
          .hasMessageContaining("not host[:port]")
          .hasMessageContaining("redis://[[user:]password@]host1:port1,host2:port2");
    }
  }

  @Test
  void sentinelNamesItsNodesAndPrimaryAndTheDescriptionShowsNoPassword() {
    RealtimeConfig config = RealtimeConfig.builder()
        .set("realtime.redis.uri", "redis-sentinel://10.0.0.1:26379,10.0.0.2:26380#orders")
        .set("realtime.redis.password", "s3cr3t").build();

    List<RedisURI> uris = RedisEndpoint.uris(config);

    assertThat(uris).hasSize(1);
    assertThat(uris.get(0).getSentinelMasterId()).isEqualTo("orders");
    assertThat(uris.get(0).getSentinels()).extracting(RedisURI::getPort)
        .containsExactly(26379, 26380);
    assertThat(new String(uris.get(0).getPassword())).isEqualTo("s3cr3t");
    assertThat(RedisEndpoint.describe(uris))
        .isEqualTo("redis-sentinel://10.0.0.1:26379,10.0.0.2:26380#orders")
        .doesNotContain("s3cr3t");
  }
}
