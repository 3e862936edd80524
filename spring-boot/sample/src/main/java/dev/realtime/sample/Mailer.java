package dev.realtime.sample;

import dev.realtime.Message;
import dev.realtime.spring.RealtimeListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Mails a confirmation of each order. The instances of the application share the work: the
 * group {@code mailers} gives each order to one of them.
 */
@Component
public class Mailer {
  private static final Logger log = LoggerFactory.getLogger(Mailer.class);
  private final List<Order> mailed = new CopyOnWriteArrayList<>();

  @RealtimeListener(channels = "orders", group = "mailers")
  void onOrder(Order order, Message message) {
    log.info("mailing {} about order {} (message {}, attempt {})", order.email(), order.id(),
        message.id(), message.deliveryAttempt());
    mailed.add(order);
  }

  /** The orders mailed so far. */
  public List<Order> mailed() {
    return List.copyOf(mailed);
  }
}
