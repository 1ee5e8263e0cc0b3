"""Facebook Page posts and Instagram media, with their latest insights."""

from django.db import models

from integrations.models.connections import Connection


class SocialChannel(models.TextChoices):
    FACEBOOK = "facebook", "Facebook Page"
    INSTAGRAM = "instagram", "Instagram"


class SocialPost(models.Model):
    """One published post or media item and the latest snapshot of its insights."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="social_posts"
    )
    channel = models.CharField(max_length=20, choices=SocialChannel.choices)
    external_id = models.CharField(max_length=64)
    published_at = models.DateTimeField(db_index=True)
    text = models.TextField(blank=True)
    permalink = models.URLField(max_length=500, blank=True)
    media_type = models.CharField(max_length=30, blank=True)
    likes = models.IntegerField(default=0)
    comments = models.IntegerField(default=0)
    shares = models.IntegerField(default=0)
    saves = models.IntegerField(default=0)
    reach = models.IntegerField(default=0)
    impressions = models.IntegerField(default=0)
    engagement = models.IntegerField(default=0)
    insights_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="one_row_per_social_post"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} post {self.external_id}"
