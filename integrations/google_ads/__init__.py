"""Google Ads: campaigns, daily metrics and search terms over the official gRPC client."""
