// The demo shop's own script: every call is the analytics.js API, through Tailor's SDK.
function showWho() {
  var id = tailor.user().id();
  document.getElementById('who').textContent = id ? `Logged in as ${id}` : 'Browsing anonymously';
}

document.getElementById('login').addEventListener('click', () => {
  // Joins this visit (its anonymous id) to Ada's profile. A real shop's server also hands the page
  // her identity token, passed as { userToken }, so decide may personalize by her user id too.
  tailor.identify('USR_ADA', { first_name: 'Ada', email: 'ada@example.com' });
  showWho();
  tailor.flush().then(() => tailor.decide(['home_banner', 'offer_block']));
});

document.getElementById('logout').addEventListener('click', () => {
  tailor.reset();
  showWho();
  tailor.decide(['home_banner', 'offer_block']);
});

document.querySelectorAll('.buy').forEach((button) => {
  button.addEventListener('click', () => {
    tailor.track('Order Completed', {
      order_id: `ORD_${Date.now()}`,
      products: [{ product_id: button.dataset.product }],
      revenue: Number(button.dataset.price),
      currency: 'INR',
    });
    tailor.flush().then(() => tailor.decide(['offer_block']));
  });
});

document.getElementById('email-consent').addEventListener('change', (event) => {
  tailor.consent({ email: event.target.checked });
});

showWho();
