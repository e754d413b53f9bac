-- pg-mcp demo database: Copperleaf Outfitters, an online retailer of outdoor gear.
-- Tables, types, views and their comments; data.sql fills them deterministically.
-- Runs on PostgreSQL 15 and later.

CREATE SCHEMA hr;
COMMENT ON SCHEMA hr IS 'People who work at Copperleaf Outfitters and the departments they belong to';

CREATE TYPE customer_segment AS ENUM ('consumer', 'small_business', 'enterprise');
COMMENT ON TYPE customer_segment IS
  'Kind of customer: a private person, a small business (clubs, schools, guides) or a large account';

CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'returned');
COMMENT ON TYPE order_status IS
  'Life cycle of an order: pending (placed, not yet accepted) -> paid (payment captured or invoice '
  'issued) -> shipped -> delivered; cancelled orders were voided before shipping; returned orders '
  'were delivered and then had goods sent back (see returns)';

CREATE TYPE payment_method AS ENUM ('card', 'paypal', 'bank_transfer', 'invoice');
COMMENT ON TYPE payment_method IS 'How a payment was made; invoice means paid later against an invoice';

CREATE TABLE countries (
  country_code char(2) PRIMARY KEY,
  name text NOT NULL UNIQUE,
  region text NOT NULL,
  currency char(3) NOT NULL,
  dial_code text NOT NULL
);
COMMENT ON TABLE countries IS 'Countries where customers, suppliers and employees are located';
COMMENT ON COLUMN countries.country_code IS 'ISO 3166-1 alpha-2 code, e.g. US, DE';
COMMENT ON COLUMN countries.name IS 'English country name';
COMMENT ON COLUMN countries.region IS 'Sales region: North America, Europe or Asia Pacific';
COMMENT ON COLUMN countries.currency IS
  'Local ISO 4217 currency; informational only, every amount in this database is in US dollars';
COMMENT ON COLUMN countries.dial_code IS 'International telephone prefix without the plus sign';

CREATE TABLE hr.departments (
  department_id smallint PRIMARY KEY,
  name text NOT NULL UNIQUE,
  cost_center text NOT NULL UNIQUE
);
COMMENT ON TABLE hr.departments IS 'Departments of the company';
COMMENT ON COLUMN hr.departments.name IS 'Department name, e.g. Sales, Warehouse & Logistics';
COMMENT ON COLUMN hr.departments.cost_center IS 'Accounting cost center code';

CREATE TABLE hr.employees (
  employee_id integer PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text NOT NULL UNIQUE,
  job_title text NOT NULL,
  department_id smallint NOT NULL REFERENCES hr.departments,
  manager_id integer REFERENCES hr.employees,
  country_code char(2) NOT NULL REFERENCES countries,
  hired_on date NOT NULL,
  left_on date,
  annual_salary numeric(10, 2) NOT NULL CHECK (annual_salary > 0),
  CHECK (left_on IS NULL OR left_on > hired_on)
);
COMMENT ON TABLE hr.employees IS
  'Staff, current and former; account managers in Sales look after business customers';
COMMENT ON COLUMN hr.employees.email IS 'Work e-mail address';
COMMENT ON COLUMN hr.employees.job_title IS 'Job title, e.g. Account Manager, Head of Sales';
COMMENT ON COLUMN hr.employees.department_id IS 'Department the employee works in';
COMMENT ON COLUMN hr.employees.manager_id IS 'Direct manager; NULL only for the chief executive';
COMMENT ON COLUMN hr.employees.country_code IS 'Country of the office the employee works from';
COMMENT ON COLUMN hr.employees.hired_on IS 'First working day';
COMMENT ON COLUMN hr.employees.left_on IS 'Last working day; NULL while still employed';
COMMENT ON COLUMN hr.employees.annual_salary IS 'Gross yearly salary in US dollars (confidential)';

CREATE TABLE customers (
  customer_id integer PRIMARY KEY,
  name text NOT NULL,
  segment customer_segment NOT NULL,
  email text NOT NULL UNIQUE,
  phone text,
  country_code char(2) NOT NULL REFERENCES countries,
  city text NOT NULL,
  account_manager_id integer REFERENCES hr.employees,
  signed_up_at timestamptz NOT NULL,
  marketing_opt_in boolean NOT NULL DEFAULT false
);
CREATE INDEX customers_country_code_idx ON customers (country_code);
COMMENT ON TABLE customers IS 'People and organisations that have an account with the shop';
COMMENT ON COLUMN customers.name IS 'Full name of a person, or the company name of a business';
COMMENT ON COLUMN customers.segment IS 'consumer, small_business or enterprise';
COMMENT ON COLUMN customers.email IS 'Contact e-mail address (personal data)';
COMMENT ON COLUMN customers.phone IS 'Contact telephone number in international format; may be NULL';
COMMENT ON COLUMN customers.country_code IS 'Country of the billing and shipping address';
COMMENT ON COLUMN customers.city IS 'City of the shipping address';
COMMENT ON COLUMN customers.account_manager_id IS
  'Sales employee responsible for a business customer; NULL for consumers';
COMMENT ON COLUMN customers.signed_up_at IS 'When the account was created';
COMMENT ON COLUMN customers.marketing_opt_in IS 'Whether the customer agreed to receive newsletters';

CREATE TABLE suppliers (
  supplier_id integer PRIMARY KEY,
  name text NOT NULL UNIQUE,
  country_code char(2) NOT NULL REFERENCES countries,
  contact_email text NOT NULL,
  lead_time_days smallint NOT NULL CHECK (lead_time_days > 0)
);
COMMENT ON TABLE suppliers IS 'Manufacturers and wholesalers the shop buys its products from';
COMMENT ON COLUMN suppliers.name IS 'Company name';
COMMENT ON COLUMN suppliers.country_code IS 'Country the supplier ships from';
COMMENT ON COLUMN suppliers.contact_email IS 'Purchasing contact';
COMMENT ON COLUMN suppliers.lead_time_days IS 'Usual days between placing a purchase order and receiving it';

CREATE TABLE categories (
  category_id smallint PRIMARY KEY,
  name text NOT NULL UNIQUE,
  parent_id smallint REFERENCES categories,
  description text NOT NULL
);
COMMENT ON TABLE categories IS
  'Product categories in two levels: top-level groups (parent_id NULL) and the categories products belong to';
COMMENT ON COLUMN categories.name IS 'Category name shown in the shop, e.g. Tents, Footwear';
COMMENT ON COLUMN categories.parent_id IS 'Top-level group of this category; NULL for a group';
COMMENT ON COLUMN categories.description IS 'Short description shown on the category page';

CREATE TABLE products (
  product_id integer PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL UNIQUE,
  category_id smallint NOT NULL REFERENCES categories,
  supplier_id integer NOT NULL REFERENCES suppliers,
  list_price numeric(10, 2) NOT NULL CHECK (list_price > 0),
  unit_cost numeric(10, 2) NOT NULL CHECK (unit_cost > 0),
  weight_grams integer NOT NULL CHECK (weight_grams > 0),
  units_in_stock integer NOT NULL CHECK (units_in_stock >= 0),
  reorder_level integer NOT NULL,
  launched_on date NOT NULL,
  discontinued boolean NOT NULL DEFAULT false
);
CREATE INDEX products_category_id_idx ON products (category_id);
COMMENT ON TABLE products IS 'Items the shop sells';
COMMENT ON COLUMN products.sku IS 'Stock keeping unit, the code printed on the label';
COMMENT ON COLUMN products.name IS 'Product name: model and product type, e.g. Ridgeline 2P Tent';
COMMENT ON COLUMN products.category_id IS 'Category (never a top-level group)';
COMMENT ON COLUMN products.supplier_id IS 'Supplier the product is bought from';
COMMENT ON COLUMN products.list_price IS
  'Current selling price per unit in US dollars; order_items.unit_price holds the price actually charged';
COMMENT ON COLUMN products.unit_cost IS 'Purchase cost per unit in US dollars';
COMMENT ON COLUMN products.weight_grams IS 'Shipping weight of one unit in grams';
COMMENT ON COLUMN products.units_in_stock IS 'Units in the warehouse now';
COMMENT ON COLUMN products.reorder_level IS 'Reorder from the supplier when stock falls below this';
COMMENT ON COLUMN products.launched_on IS 'First day the product could be ordered';
COMMENT ON COLUMN products.discontinued IS
  'No longer sold; discontinued products were last sold in September 2025';

CREATE TABLE orders (
  order_id integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers,
  ordered_at timestamptz NOT NULL,
  status order_status NOT NULL,
  channel text NOT NULL CHECK (channel IN ('web', 'mobile_app', 'phone', 'marketplace')),
  shipping_fee numeric(8, 2) NOT NULL DEFAULT 0 CHECK (shipping_fee >= 0),
  shipped_at timestamptz,
  delivered_at timestamptz,
  CHECK (shipped_at >= ordered_at),
  CHECK (delivered_at >= shipped_at)
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_ordered_at_idx ON orders (ordered_at);
COMMENT ON TABLE orders IS
  'Customer orders from January 2024 to December 2026; the order lines are in order_items and '
  'the amounts per order in the order_totals view';
COMMENT ON COLUMN orders.customer_id IS 'Customer who placed the order';
COMMENT ON COLUMN orders.ordered_at IS 'When the order was placed';
COMMENT ON COLUMN orders.status IS
  'pending, paid, shipped, delivered, cancelled or returned; revenue usually excludes cancelled orders';
COMMENT ON COLUMN orders.channel IS
  'Where the order came from: web, mobile_app, phone (business customers) or marketplace';
COMMENT ON COLUMN orders.shipping_fee IS
  'Shipping charged to the customer in US dollars; free for enterprise customers and orders of 150 dollars or more';
COMMENT ON COLUMN orders.shipped_at IS 'When the parcel left the warehouse; NULL if not shipped';
COMMENT ON COLUMN orders.delivered_at IS 'When the carrier delivered the parcel; NULL if not delivered';

CREATE TABLE order_items (
  order_id integer NOT NULL REFERENCES orders ON DELETE CASCADE,
  line_no smallint NOT NULL CHECK (line_no > 0),
  product_id integer NOT NULL REFERENCES products,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price numeric(10, 2) NOT NULL CHECK (unit_price > 0),
  discount numeric(4, 3) NOT NULL DEFAULT 0 CHECK (discount >= 0 AND discount < 1),
  PRIMARY KEY (order_id, line_no),
  UNIQUE (order_id, product_id)
);
CREATE INDEX order_items_product_id_idx ON order_items (product_id);
COMMENT ON TABLE order_items IS
  'Lines of an order: one product each; line amount = quantity * unit_price * (1 - discount)';
COMMENT ON COLUMN order_items.line_no IS 'Position of the line in the order, starting at 1';
COMMENT ON COLUMN order_items.product_id IS 'Product ordered';
COMMENT ON COLUMN order_items.quantity IS 'Units ordered';
COMMENT ON COLUMN order_items.unit_price IS 'Price per unit in US dollars at the time of the order, before discount';
COMMENT ON COLUMN order_items.discount IS 'Discount as a fraction, e.g. 0.150 = 15 percent off';

CREATE TABLE payments (
  payment_id integer PRIMARY KEY,
  order_id integer NOT NULL REFERENCES orders,
  paid_at timestamptz NOT NULL,
  amount numeric(12, 2) NOT NULL CHECK (amount > 0),
  method payment_method NOT NULL,
  provider_reference text NOT NULL UNIQUE
);
CREATE INDEX payments_order_id_idx ON payments (order_id);
COMMENT ON TABLE payments IS
  'Money received for orders; an order paid by invoice has no payment until the invoice is settled';
COMMENT ON COLUMN payments.order_id IS 'Order the payment settles';
COMMENT ON COLUMN payments.paid_at IS 'When the money was received';
COMMENT ON COLUMN payments.amount IS 'Amount received in US dollars (the order total including shipping)';
COMMENT ON COLUMN payments.method IS 'card, paypal, bank_transfer or invoice';
COMMENT ON COLUMN payments.provider_reference IS 'Reference of the payment provider or bank';

CREATE TABLE returns (
  return_id integer PRIMARY KEY,
  order_id integer NOT NULL,
  line_no smallint NOT NULL,
  returned_at timestamptz NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  reason text NOT NULL,
  refund_amount numeric(12, 2) NOT NULL CHECK (refund_amount > 0),
  FOREIGN KEY (order_id, line_no) REFERENCES order_items (order_id, line_no)
);
CREATE INDEX returns_order_id_idx ON returns (order_id, line_no);
COMMENT ON TABLE returns IS 'Goods sent back by customers and the money refunded for them';
COMMENT ON COLUMN returns.order_id IS 'Order the returned goods came from';
COMMENT ON COLUMN returns.line_no IS 'Order line returned (order_items.line_no of the same order)';
COMMENT ON COLUMN returns.returned_at IS 'When the warehouse received the returned goods';
COMMENT ON COLUMN returns.quantity IS 'Units returned; at most the units ordered on that line';
COMMENT ON COLUMN returns.reason IS 'Reason given by the customer';
COMMENT ON COLUMN returns.refund_amount IS 'Money refunded in US dollars';

CREATE VIEW order_totals AS
SELECT
  o.order_id,
  o.customer_id,
  o.ordered_at,
  o.status,
  count(*)::integer AS line_count,
  sum(i.quantity)::integer AS units,
  sum(i.quantity * i.unit_price)::numeric(12, 2) AS gross_amount,
  (sum(i.quantity * i.unit_price) - round(sum(i.quantity * i.unit_price * (1 - i.discount)), 2))::numeric(12, 2)
    AS discount_amount,
  round(sum(i.quantity * i.unit_price * (1 - i.discount)), 2)::numeric(12, 2) AS net_amount,
  o.shipping_fee,
  (round(sum(i.quantity * i.unit_price * (1 - i.discount)), 2) + o.shipping_fee)::numeric(12, 2)
    AS total_amount
FROM orders AS o
JOIN order_items AS i USING (order_id)
GROUP BY o.order_id;
COMMENT ON VIEW order_totals IS
  'One row per order with its amounts in US dollars; revenue is usually the sum of net_amount '
  'over orders that are not cancelled';
COMMENT ON COLUMN order_totals.line_count IS 'Number of order lines';
COMMENT ON COLUMN order_totals.units IS 'Units ordered over all lines';
COMMENT ON COLUMN order_totals.gross_amount IS 'Sum of quantity * unit_price before discounts';
COMMENT ON COLUMN order_totals.discount_amount IS 'Discounts granted on the lines';
COMMENT ON COLUMN order_totals.net_amount IS 'Goods value after discounts, without shipping: the revenue of the order';
COMMENT ON COLUMN order_totals.total_amount IS 'What the customer pays: net_amount + shipping_fee';

CREATE MATERIALIZED VIEW monthly_category_sales AS
SELECT
  date_trunc('month', o.ordered_at AT TIME ZONE 'UTC')::date AS month,
  c.name AS category,
  count(DISTINCT o.order_id)::integer AS orders,
  sum(i.quantity)::integer AS units,
  round(sum(i.quantity * i.unit_price * (1 - i.discount)), 2)::numeric(12, 2) AS net_revenue,
  round(sum(i.quantity * (i.unit_price * (1 - i.discount) - p.unit_cost)), 2)::numeric(12, 2)
    AS gross_profit
FROM orders AS o
JOIN order_items AS i USING (order_id)
JOIN products AS p USING (product_id)
JOIN categories AS c USING (category_id)
WHERE o.status <> 'cancelled'
GROUP BY 1, 2
WITH NO DATA;
CREATE UNIQUE INDEX monthly_category_sales_month_category_idx
  ON monthly_category_sales (month, category);
COMMENT ON MATERIALIZED VIEW monthly_category_sales IS
  'Sales per calendar month (UTC) and product category, cancelled orders excluded; refreshed nightly';
COMMENT ON COLUMN monthly_category_sales.month IS 'First day of the month';
COMMENT ON COLUMN monthly_category_sales.category IS 'Category name (categories.name)';
COMMENT ON COLUMN monthly_category_sales.orders IS 'Orders with at least one line in the category';
COMMENT ON COLUMN monthly_category_sales.units IS 'Units sold';
COMMENT ON COLUMN monthly_category_sales.net_revenue IS 'Revenue after discounts in US dollars, without shipping';
COMMENT ON COLUMN monthly_category_sales.gross_profit IS 'net_revenue minus the purchase cost of the units sold';
