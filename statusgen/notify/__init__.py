"""Notifications: site.yaml's channels (`config`), what is said (`messages`), how it travels
(`transports`), the delivery record (`record`), and `statusgen notify` itself (`run`)."""
