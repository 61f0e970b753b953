//! Pub/sub: channel and pattern subscriptions and message delivery.

#[derive(Debug, Default)]
pub struct PubSub {}

/// Drop a departing client's subscriptions.
pub fn client_disconnected(
    store: &mut crate::server::Store,
    client: &mut crate::client::ClientState,
) {
    let _ = (store, client);
}
