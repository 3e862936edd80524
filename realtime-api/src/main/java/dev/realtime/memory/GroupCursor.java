package dev.realtime.memory;

import dev.realtime.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A group's progress through one channel's log, shared by the group's members: which messages
 * were handed out (and to whom), which were given back, and where new messages start.
 *
 * <p>Acknowledgement is per message, like a Redis consumer group or a RabbitMQ queue, not a
 * single committed offset: an acknowledged message is never delivered again, and a released one
 * (its member closed before handling it) is delivered again to the next member that asks.
 *
 * <p>Ordering per key holds across members by key affinity: while a member holds unacknowledged
 * messages of a key, every later message of that key is assigned to the same member (into its
 * inbox), so no two members ever handle one key at once. Once the member's messages of the key
 * are all acknowledged, the key is free again.
 *
 * <p>A broadcast subscription uses a cursor of its own with a single member; a named group's
 * cursor outlives its members, so a group resumes where it left off.
 */
final class GroupCursor {
  /** A subscription reading through this cursor. */
  interface Member {
    /** Tells the member there may be messages for it. Must not block. */
    void wake();
  }

  /** A message handed out and not yet acknowledged. */
  private static final class Claim {
    final Member member;
    final @Nullable String key;
    /** Deliveries so far, this one included once handed to the member. */
    int deliveries;

    Claim(Member member, @Nullable String key, int deliveries) {
      this.member = member;
      this.key = key;
      this.deliveries = deliveries;
    }
  }

  /** The member that holds a key, and how many of its messages it holds. */
  private static final class KeyOwner {
    final Member member;
    int count;

    KeyOwner(Member member) {
      this.member = member;
    }
  }

  final ChannelLog log;
  private final @Nullable String group;
  private long next;
  private final TreeMap<Long, Claim> claims = new TreeMap<>();
  /** Released offsets, oldest first, with their deliveries so far. */
  private final TreeMap<Long, Integer> returned = new TreeMap<>();
  private final Map<String, KeyOwner> owners = new HashMap<>();
  /** Offsets assigned to a member by key affinity and not yet pulled by it. */
  private final Map<Member, ArrayDeque<Long>> inboxes = new LinkedHashMap<>();

  GroupCursor(ChannelLog log, @Nullable String group, long next) {
    this.log = log;
    this.group = group;
    this.next = next;
  }

  @Nullable String group() {
    return group;
  }

  synchronized void join(Member member) {
    inboxes.putIfAbsent(member, new ArrayDeque<>());
  }

  /** Hands {@code member} up to {@code max} messages: its inbox, then released, then new. */
  List<Message> pull(Member member, int max) {
    List<Member> toWake = new ArrayList<>();
    List<Message> out = new ArrayList<>();
    synchronized (this) {
      ArrayDeque<Long> inbox = inboxes.get(member);
      if (inbox == null) {
        return out;
      }
      while (out.size() < max && !inbox.isEmpty()) {
        long offset = inbox.poll();
        Claim claim = claims.get(offset);
        ChannelLog.Entry entry = log.entry(offset);
        if (claim == null) {
          continue;
        }
        if (entry == null) {
          settle(offset, claim); // Trimmed by retention before it was handled.
          continue;
        }
        claim.deliveries++;
        out.add(entry.delivered(claim.deliveries));
      }
      Iterator<Map.Entry<Long, Integer>> released = returned.entrySet().iterator();
      while (out.size() < max && released.hasNext()) {
        Map.Entry<Long, Integer> next = released.next();
        released.remove();
        ChannelLog.Entry entry = log.entry(next.getKey());
        if (entry != null) {
          assign(entry, next.getValue(), member, out, toWake);
        }
      }
      next = Math.max(next, log.startOffset());
      long end = log.endOffset();
      while (out.size() < max && next < end) {
        ChannelLog.Entry entry = log.entry(next++);
        if (entry != null) {
          assign(entry, 0, member, out, toWake);
        }
      }
    }
    toWake.forEach(Member::wake);
    return out;
  }

  private void assign(ChannelLog.Entry entry, int deliveries, Member member, List<Message> out,
      List<Member> toWake) {
    String key = entry.message.key();
    KeyOwner owner = key == null ? null : owners.get(key);
    Member target = owner != null ? owner.member : member;
    Claim claim = new Claim(target, key, deliveries);
    claims.put(entry.offset, claim);
    if (key != null) {
      owners.computeIfAbsent(key, k -> new KeyOwner(target)).count++;
    }
    if (target == member) {
      claim.deliveries++;
      out.add(entry.delivered(claim.deliveries));
    } else {
      inboxes.get(target).add(entry.offset);
      toWake.add(target);
    }
  }

  /** {@code member} finished the message at {@code offset}: never deliver it again. */
  synchronized void ack(Member member, long offset) {
    Claim claim = claims.get(offset);
    // A late ack from a member that left: the message now belongs to another member.
    if (claim != null && claim.member == member) {
      settle(offset, claim);
    }
  }

  /**
   * {@code member} did not finish the message at {@code offset}: deliver it again. If {@code
   * handled} is false no handler had it, and the delivery it was counted is taken back.
   */
  void release(Member member, long offset, boolean handled) {
    List<Member> toWake;
    synchronized (this) {
      Claim claim = claims.get(offset);
      if (claim == null || claim.member != member) {
        return;
      }
      settle(offset, claim);
      returned.put(offset, handled ? claim.deliveries : Math.max(0, claim.deliveries - 1));
      toWake = new ArrayList<>(inboxes.keySet());
    }
    toWake.forEach(Member::wake);
  }

  /** {@code member} is gone: everything it held is released to the others. */
  void leave(Member member) {
    List<Member> toWake;
    synchronized (this) {
      inboxes.remove(member);
      Iterator<Map.Entry<Long, Claim>> it = claims.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Long, Claim> entry = it.next();
        Claim claim = entry.getValue();
        if (claim.member == member) {
          it.remove();
          releaseKey(claim);
          returned.put(entry.getKey(), claim.deliveries);
        }
      }
      toWake = new ArrayList<>(inboxes.keySet());
    }
    toWake.forEach(Member::wake);
  }

  /** Messages handed to members and not yet acknowledged. */
  synchronized long pending() {
    long queued = 0;
    for (ArrayDeque<Long> inbox : inboxes.values()) {
      queued += inbox.size();
    }
    return claims.size() - queued;
  }

  /** Messages not yet handed to any member. */
  synchronized long lag() {
    long queued = 0;
    for (ArrayDeque<Long> inbox : inboxes.values()) {
      queued += inbox.size();
    }
    return Math.max(0, log.endOffset() - Math.max(next, log.startOffset())) + returned.size()
        + queued;
  }

  private void settle(long offset, Claim claim) {
    claims.remove(offset);
    releaseKey(claim);
  }

  private void releaseKey(Claim claim) {
    if (claim.key == null) {
      return;
    }
    KeyOwner owner = owners.get(claim.key);
    if (owner != null && owner.member == claim.member && --owner.count == 0) {
      owners.remove(claim.key);
    }
  }
}
