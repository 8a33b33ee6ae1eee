"""修改密码: Django's view and form; this session stays signed in, the API tokens go."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    success_url = reverse_lazy("web:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)  # saves; accounts.signals revokes the tokens
        messages.success(self.request, "密码已修改，原有的 API 令牌已全部吊销。")
        return response
