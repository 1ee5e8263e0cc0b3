"""Catalog pages: everyone on staff reads; operators and admins create, edit and archive."""

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog.actions import product_archive, product_create, product_restore, product_update
from catalog.forms import ProductFilter, ProductForm
from catalog.models import Product
from catalog.selectors import campaigns_for_product
from flux.accounts.roles import Role, has_role, role_required


def index(request: HttpRequest) -> HttpResponse:
    """List products, searched and filtered by status."""
    filters = ProductFilter(request.GET or None)
    products = _filtered(filters)
    return render(request, "catalog/index.html", {
        "filters": filters, "products": products, "can_edit": _can_edit(request),
        "total": Product.objects.count(),
    })  # fmt: skip


def _filtered(filters: ProductFilter) -> QuerySet[Product]:
    data = filters.cleaned_data if filters.is_valid() else {}
    status = data.get("status") or "active"
    products = Product.objects.annotate(sku_count=Count("variants", distinct=True))
    if status != "all":
        products = products.filter(status=status)
    if q := data.get("q"):
        match = Q(name__icontains=q) | Q(variants__sku__icontains=q)
        # JSON contains differs by database; a text match on the stored list works on both.
        match |= Q(keywords__icontains=q)
        products = products.filter(match).distinct()
    return products.order_by("name")


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show one product with its SKUs, campaigns and pages."""
    product = get_object_or_404(Product, slug=slug)
    return render(request, "catalog/detail.html", {
        "product": product, "variants": product.variants.all(),
        "pages": product.pages.all(), "campaigns": campaigns_for_product(product),
        "can_edit": _can_edit(request),
    })  # fmt: skip


@role_required(Role.OPERATOR)
def create(request: HttpRequest) -> HttpResponse:
    """Create a product."""
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        product = product_create(actor=request.user, fields=form.product_fields(), **_links(form))
        messages.success(request, f"Created {product.name}.")
        return redirect("catalog:detail", slug=product.slug)
    return render(request, "catalog/form.html", {"form": form, "product": None})


@role_required(Role.OPERATOR)
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit a product and its links."""
    product = get_object_or_404(Product, slug=slug)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        fields = form.product_fields()
        product = product_update(actor=request.user, product=product, fields=fields, **_links(form))
        messages.success(request, f"Saved {product.name}.")
        return redirect("catalog:detail", slug=product.slug)
    return render(request, "catalog/form.html", {"form": form, "product": product})


@require_POST
@role_required(Role.OPERATOR)
def archive(request: HttpRequest, slug: str) -> HttpResponseRedirect:
    """Archive a product; its history stays."""
    product = product_archive(actor=request.user, product=get_object_or_404(Product, slug=slug))
    messages.success(request, f"Archived {product.name}. Its sales history is kept.")
    return redirect("catalog:detail", slug=product.slug)


@require_POST
@role_required(Role.OPERATOR)
def restore(request: HttpRequest, slug: str) -> HttpResponseRedirect:
    """Put an archived product back on sale."""
    product = product_restore(actor=request.user, product=get_object_or_404(Product, slug=slug))
    messages.success(request, f"Restored {product.name}.")
    return redirect("catalog:detail", slug=product.slug)


def _links(form: ProductForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "skus": data["skus_text"], "pages": data["pages_text"],
        "campaigns": list(data["campaigns"]),
    }  # fmt: skip


def _can_edit(request: HttpRequest) -> bool:
    return has_role(request.user, Role.OPERATOR)
