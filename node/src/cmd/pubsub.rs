//! Pub/sub commands: (P)SUBSCRIBE, (P)UNSUBSCRIBE, PUBLISH, PUBSUB CHANNELS/NUMSUB/NUMPAT.

use bytes::Bytes;
use wire::CommandId;

use super::Handler;
use super::client::subcommand_syntax_error;
use super::reply_help;
use crate::ctx::{CmdResult, Ctx};
use crate::pubsub;

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Subscribe, subscribe),
    (CommandId::Unsubscribe, unsubscribe),
    (CommandId::Psubscribe, psubscribe),
    (CommandId::Punsubscribe, punsubscribe),
    (CommandId::Publish, publish),
    (CommandId::PubsubChannels, pubsub_channels),
    (CommandId::PubsubNumsub, pubsub_numsub),
    (CommandId::PubsubNumpat, pubsub_numpat),
    (CommandId::PubsubHelp, pubsub_help),
];

/// A (un)subscribe confirmation: kind, name (null for an unsubscribe-all from nothing), and the
/// client's channel plus pattern count. A push frame in RESP3.
fn confirm(ctx: &mut Ctx, kind: &str, name: Option<&[u8]>) {
    let count = ctx.client.channels.len() + ctx.client.patterns.len();
    ctx.out.push(3);
    ctx.out.bulk_str(kind);
    match name {
        Some(name) => ctx.out.bulk(name),
        None => ctx.out.null(),
    }
    ctx.out.int(count as i64);
}

fn subscribe(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    for channel in &args[1..] {
        pubsub::subscribe(ctx.store, ctx.client, channel);
        confirm(ctx, "subscribe", Some(channel));
    }
    Ok(())
}

fn psubscribe(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    for pattern in &args[1..] {
        pubsub::psubscribe(ctx.store, ctx.client, pattern);
        confirm(ctx, "psubscribe", Some(pattern));
    }
    Ok(())
}

fn unsubscribe(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args.len() > 1 {
        for channel in &args[1..] {
            pubsub::unsubscribe(ctx.store, ctx.client, channel);
            confirm(ctx, "unsubscribe", Some(channel));
        }
        return Ok(());
    }
    let channels: Vec<Bytes> = ctx.client.channels.iter().cloned().collect();
    if channels.is_empty() {
        confirm(ctx, "unsubscribe", None);
    }
    for channel in channels {
        pubsub::unsubscribe(ctx.store, ctx.client, &channel);
        confirm(ctx, "unsubscribe", Some(&channel));
    }
    Ok(())
}

fn punsubscribe(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args.len() > 1 {
        for pattern in &args[1..] {
            pubsub::punsubscribe(ctx.store, ctx.client, pattern);
            confirm(ctx, "punsubscribe", Some(pattern));
        }
        return Ok(());
    }
    let patterns: Vec<Bytes> = ctx.client.patterns.iter().cloned().collect();
    if patterns.is_empty() {
        confirm(ctx, "punsubscribe", None);
    }
    for pattern in patterns {
        pubsub::punsubscribe(ctx.store, ctx.client, &pattern);
        confirm(ctx, "punsubscribe", Some(&pattern));
    }
    Ok(())
}

fn publish(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let receivers = pubsub::publish(
        ctx.store, ctx.client, ctx.out, &args[1], &args[2], ctx.now_ms,
    );
    ctx.out.int(receivers as i64);
    Ok(())
}

fn pubsub_channels(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args.len() > 3 {
        return Err(subcommand_syntax_error(args));
    }
    let pattern = args.get(2);
    let channels: Vec<&Bytes> = ctx
        .store
        .pubsub
        .channels()
        .filter(|c| pattern.is_none_or(|p| crate::glob::glob_match(p, c, false)))
        .collect();
    ctx.out.array(channels.len());
    for channel in channels {
        ctx.out.bulk(channel);
    }
    Ok(())
}

/// Channel/count pairs as a flat array, in RESP3 too (as Redis 7.0 replies).
fn pubsub_numsub(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    ctx.out.array(2 * (args.len() - 2));
    for channel in &args[2..] {
        let count = ctx.store.pubsub.subscriber_count(channel);
        ctx.out.bulk(channel);
        ctx.out.int(count as i64);
    }
    Ok(())
}

fn pubsub_numpat(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.store.pubsub.pattern_count() as i64);
    Ok(())
}

/// Redis 7.0's PUBSUB HELP, limited to the subcommands served here.
const PUBSUB_HELP: &[&str] = &[
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
];

fn pubsub_help(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    reply_help(ctx, "PUBSUB", PUBSUB_HELP);
    Ok(())
}
