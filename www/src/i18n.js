// Chinese by default, English by a switch. Every UI string is here in both languages; texts that
// come from the report ({zh, en}) are picked with `tx`.

const STRINGS = {
  title: ['客析 · 客户分析', 'kexi · customer analysis'],
  privacy: ['所有处理都在本机完成，上传 0 字节', 'Processed on this device, 0 bytes uploaded'],
  privacy_detail: [
    '文件只在您的浏览器中读取和分析；页面禁止一切网络连接（Content-Security-Policy: connect-src \'none\'）。',
    'Your file is read and analysed only in this browser; the page forbids every network connection (Content-Security-Policy: connect-src \'none\').',
  ],
  drop: ['把客户登记表或订单明细拖到这里', 'Drop a customer register or order list here'],
  choose: ['选择文件', 'Choose a file'],
  sample: ['试用示例数据', 'Try the sample'],
  templates: ['下载空白模板：', 'Blank templates:'],
  template_register: ['客户登记表', 'Customer register'],
  template_personal: ['个人客户登记表', 'Personal customers'],
  template_orders: ['订单明细', 'Order list'],
  lang_switch: ['English', '中文'],
  reading: ['读取', 'Reading'],
  mapping: ['识别表头与列', 'Mapping columns'],
  analysing: ['分析', 'Analysing'],
  rows_done: ['已处理 {n} 行', '{n} rows done'],
  cancel: ['取消', 'Cancel'],
  cancelled: ['已取消', 'Cancelled'],
  crashed: ['分析程序意外终止，已重新启动，请再试一次或换一个文件', 'The analyzer stopped unexpectedly and was restarted; try again or use another file'],
  done_in: ['{file}：{n} 位客户，用时 {s} 秒', '{file}: {n} customers in {s} s'],
  new_file: ['换一个文件', 'Another file'],
  tab_review: ['数据与映射', 'Data & mapping'],
  tab_dashboard: ['分析结果', 'Dashboard'],
  tab_customers: ['客户明细', 'Customers'],
  sheets: ['工作表', 'Sheets'],
  sheet: ['工作表', 'Sheet'],
  sheet_auto: ['自动选择', 'Automatic'],
  rows: ['行', 'Rows'],
  cols: ['列', 'Columns'],
  hidden: ['隐藏', 'hidden'],
  chart_sheet: ['图表页', 'chart sheet'],
  role: ['用途', 'Role'],
  role_register: ['客户登记表', 'register'],
  role_orders: ['订单明细', 'order list'],
  header_rows: ['表头位于第 {a}–{b} 行', 'Header on rows {a}–{b}'],
  column: ['列', 'Column'],
  header: ['表头', 'Header'],
  field: ['对应字段', 'Field'],
  confidence: ['置信度', 'Confidence'],
  status: ['状态', 'Status'],
  status_auto: ['自动', 'auto'],
  status_overridden: ['已修改', 'overridden'],
  status_ambiguous: ['有歧义，请确认', 'ambiguous — please choose'],
  status_ignored: ['忽略', 'ignored'],
  status_extra: ['附加维度', 'extra dimension'],
  field_none: ['（附加维度）', '(extra dimension)'],
  field_ignore: ['忽略此列', 'Ignore this column'],
  apply: ['应用并重新分析', 'Apply and re-analyse'],
  reset_mapping: ['恢复自动映射', 'Reset to automatic'],
  saved_mapping: ['已应用您上次对相同表头的修改', 'Applied your saved corrections for these headers'],
  quality: ['数据质量', 'Data quality'],
  read_together: ['这些工作表格式相同，已读为一张表（取消勾选可排除）', 'Sheets of one layout, read together as one list (untick to leave one out)'],
  derived: ['推算列', 'Derived'],
  reread: ['按内容改读', 'Reread from its values'],
  amount_left_out: ['涉及金额 {a}，未计入', 'amount {a}, left out'],
  returns_line: ['退货/退款行 {n} 行，金额 {a}，已冲减对应客户的购买', '{n} return or refund lines, amount {a}, netted against their customers\' purchases'],
  quality_line: ['读取 {read} 行，使用 {used} 行，跳过 {skipped} 行', '{read} rows read, {used} used, {skipped} skipped'],
  skipped_why: ['跳过原因', 'Skipped because'],
  warnings: ['警告', 'Warnings'],
  warnings_more: ['另有 {n} 条未列出', '{n} more not listed'],
  join: ['登记表与订单关联', 'Register and orders joined'],
  kpi_customers: ['客户数', 'Customers'],
  kpi_sales: ['销售额', 'Sales'],
  kpi_active: ['活跃率', 'Active rate'],
  kpi_churn: ['流失率', 'Churn rate'],
  kpi_nps: ['NPS', 'NPS'],
  kpi_clv: ['平均 CLV', 'Average CLV'],
  kpi_orders: ['订单行', 'Order lines'],
  not_run: ['未能运行的分析', 'Analyses that could not run'],
  needs: ['需要列：{cols}', 'Needs columns: {cols}'],
  download_png: ['PNG', 'PNG'],
  download_svg: ['SVG', 'SVG'],
  download_csv: ['CSV', 'CSV'],
  export_xlsx: ['导出结果工作簿 (xlsx)', 'Export results workbook (xlsx)'],
  export_csv: ['导出客户表 (CSV)', 'Export customers (CSV)'],
  print: ['打印 / 存为 PDF', 'Print / save as PDF'],
  search: ['搜索客户编号或名称', 'Search customer id or name'],
  filters: ['筛选', 'Filters'],
  clear_filters: ['清除筛选', 'Clear filters'],
  any: ['全部', 'Any'],
  none_value: ['（空）', '(blank)'],
  matching: ['{n} / {total} 位客户', '{n} of {total} customers'],
  files_shown: ['下表列出本期金额前 {n} 位，全部大客户可在客户表中按“大客户等级”筛选', 'the top {n} by amount below; filter the customer table by big customer grade for all of them'],
  top_shown: ['下表列出前 {n} 位，全部预警客户可在客户表中按“预警”筛选', 'the top {n} below; filter the customer table by alert for all of them'],
  detail: ['客户详情', 'Customer detail'],
  close: ['关闭', 'Close'],
  click_to_filter: ['点击图表中的部分可筛选客户明细', 'Click a part of a chart to filter the customer table'],
  filtered_by: ['按图表筛选：', 'Filtered by chart: '],
  yes: ['是', 'yes'],
  no: ['否', 'no'],
  alerts_title: ['预流失重点客户', 'Pre-churn key customers'],
  movers: ['变化最大的客户', 'Biggest movers'],
  top_total: ['总额前列', 'Top by total'],
  top_growth: ['增长最多', 'Top growth'],
  top_decline: ['下降最多', 'Top decline'],
  compared: ['比较期间：', 'Compared: '],
  top_rank_up: ['排名上升', 'Rank up'],
  top_rank_down: ['排名下降', 'Rank down'],
  disagreements: ['价值高但信用差的客户', 'High value, poor credit'],
  pairs: ['常一起购买的产品', 'Products bought together'],
  model: ['模型参数', 'Model parameters'],
  churn_top_decile: ['得分前 10% 的留出客户中 {left}/{n} 流失（{p}，基础流失率 {base}）', 'of the top 10% of held-out customers by score, {left} of {n} left ({p}, against a base rate of {base})'],
  churn_weights: ['流失前的行为信号（每标准差的权重）', 'What preceded leaving (weight per standard deviation)'],
  churn_at_risk: ['流失风险最高的客户（全部可在客户表中按“流失风险”筛选）', 'Customers most at risk (filter the customer table by churn risk for all of them)'],
  partial_month: ['{m} 未满一个月，不计入指数与预测', '{m} is partial: left out of the index and the forecast'],
  seasons_holdout: ['留出 {months} 检验：WAPE {wape}，平均绝对误差 {mae}，{inside}/{n} 个月落入 {level}% 区间', 'Checked on {months}, held out: WAPE {wape}, mean absolute error {mae}, {inside} of {n} months inside the {level}% interval'],
  feedback_by_churn: ['按流失风险', 'By churn risk'],
  feedback_by_lifecycle: ['按生命周期', 'By lifecycle stage'],
  feedback_top: ['投诉最多的客户（全部可在客户表中按“有投诉”筛选）', 'Customers with most complaints (filter the customer table by complaint for all of them)'],
  no_file: ['尚未打开文件', 'No file open'],
  error: ['错误', 'Error'],
  working: ['处理中…', 'Working…'],
};

/** Column and label names the report does not carry itself. */
export const COLUMNS = {
  index: ['#', '#'], id: ['客户编号', 'Customer ID'], name: ['客户名称', 'Name'],
  customers: ['客户数', 'Customers'], customer_share: ['客户占比', 'Customer share'],
  amount: ['金额', 'Amount'], amount_share: ['金额占比', 'Amount share'],
  mean_recency_days: ['平均最近购买天数', 'Mean recency (days)'], mean_frequency: ['平均频次', 'Mean frequency'],
  mean_monetary: ['平均金额', 'Mean monetary'], action: ['建议行动', 'Suggested action'],
  label: ['类别', 'Group'], value: ['取值', 'Value'], amount_per_customer: ['客均金额', 'Amount per customer'],
  amount_change: ['金额同比', 'Amount YoY'], customers_change: ['客户数同比', 'Customers YoY'],
  period: ['期间', 'Period'], start: ['期初', 'Start'], new: ['新增', 'New'], returning: ['回流', 'Returning'],
  lost: ['流失', 'Lost'], net: ['净变化', 'Net'], total: ['期末', 'Total'],
  year: ['年份', 'Year'], quantity: ['数量', 'Quantity'], growth: ['增长率', 'Growth'],
  customer: ['客户', 'Customer'], amount_before: ['对比期金额', 'Amount before'], amount_after: ['本期金额', 'Amount after'],
  change: ['变化', 'Change'], rank_before: ['对比期排名', 'Rank before'], rank_after: ['本期排名', 'Rank after'],
  recency_days: ['沉默天数', 'Days silent'], interval_days: ['平均间隔天数', 'Usual interval (days)'],
  overdue: ['超期倍数', 'Overdue ×'], p_alive: ['存活概率', 'P(alive)'], amount_at_risk: ['风险金额', 'Amount at risk'],
  key_customers: ['重点客户', 'Key customers'], alerted: ['预警客户', 'Alerted'],
  abc_class: ['ABC 类', 'ABC class'], abc_count_class: ['ABC 类（按数量）', 'ABC class (by count)'],
  value_tier: ['价值等级', 'Value tier'], value_score: ['价值得分', 'Value score'],
  rfm_segment: ['RFM 分群', 'RFM segment'], r_score: ['R', 'R'], f_score: ['F', 'F'], m_score: ['M', 'M'],
  lifecycle: ['生命周期', 'Lifecycle'], alert: ['预警', 'Alert'], bcg: ['BCG 象限', 'BCG quadrant'],
  cluster: ['聚类', 'Cluster'], nps_group: ['NPS 分组', 'NPS group'], csi: ['CSI', 'CSI'],
  credit_score: ['信用得分', 'Credit score'], credit_grade: ['信用等级', 'Credit grade'],
  expected_purchases: ['预期购买次数', 'Expected purchases'], clv: ['CLV', 'CLV'], clv_tier: ['CLV 等级', 'CLV tier'],
  orders: ['订单数', 'Orders'], order_lines: ['订单行', 'Order lines'], average_order: ['平均订单额', 'Average order'],
  largest_order: ['最大订单', 'Largest order'], profit: ['利润', 'Profit'], margin: ['毛利率', 'Margin'],
  returns: ['退货', 'Returns'], receivable: ['应收', 'Receivable'], payment_days: ['账期', 'Payment days'],
  credit_limit: ['信用额度', 'Credit limit'], nps: ['推荐意愿', 'NPS score'], age: ['年龄', 'Age'],
  tenure_days: ['客户年限（天）', 'Tenure (days)'], first_order_date: ['首次购买', 'First order'],
  last_order_date: ['最近购买', 'Last order'], abc_rank: ['金额排名', 'Amount rank'],
  leads: ['线索数', 'Leads'], bought: ['已购买', 'Bought'], conversion: ['转化率', 'Conversion'],
  responses: ['回答数', 'Responses'], promoters: ['推荐者', 'Promoters'], passives: ['被动者', 'Passives'],
  detractors: ['贬损者', 'Detractors'], score: ['得分', 'Score'], grade: ['等级', 'Grade'],
  a: ['产品 A', 'Product A'], b: ['产品 B', 'Product B'], support: ['支持度', 'Support'],
  confidence_ab: ['置信度 A→B', 'Confidence A→B'], confidence_ba: ['置信度 B→A', 'Confidence B→A'], lift: ['提升度', 'Lift'],
  items: ['个数', 'Items'], quadrant: ['象限', 'Quadrant'], tier: ['等级', 'Tier'], above: ['分数线', 'Above'],
  weight: ['权重', 'Weight'], low: ['下限', 'Low'], high: ['上限', 'High'], header: ['列', 'Column'], mean: ['均值', 'Mean'],
  stage: ['阶段', 'Stage'], key: ['键', 'Key'], register_row: ['登记表行号', 'Register row'],
  interval: ['购买间隔', 'Interval'], csi_score: ['CSI', 'CSI'],
  big_count: ['大客户', 'Big customers'], big_grade: ['大客户等级', 'Big customer grade'], slipping: ['下滑', 'Slipping'],
  monthly_from: ['月均贡献起点', 'Monthly from'], monthly_amount: ['月均贡献', 'Monthly contribution'], share: ['份额', 'Share'],
  rank: ['本期排名', 'Rank'], rank_change: ['排名变化', 'Rank change'], industry: ['行业', 'Industry'], region: ['区域', 'Region'],
  slips: ['下滑原因', 'Why slipping'], churn_rate: ['流失率', 'Churn rate'],
  churn_risk: ['流失风险', 'Churn risk'], churn_probability: ['流失概率', 'Churn probability'],
  probability: ['流失概率', 'Churn probability'], band: ['流失风险', 'Churn risk'], odds_ratio: ['优势比', 'Odds ratio'],
  whole_months: ['完整月数', 'Whole months'], peak_months: ['旺季', 'Peak months'], off_months: ['淡季', 'Off-season'],
  month: ['月份', 'Month'], forecast: ['预测', 'Forecast'],
  cutoff: ['截止日', 'Cutoff'], sample: ['样本客户', 'Sample'], leavers: ['其中流失', 'Left'],
  age_band: ['年龄段', 'Age band'], income_band: ['收入段', 'Income band'],
  has_complaint: ['有投诉', 'Complained'], with_feedback: ['有反馈', 'With feedback'],
  with_complaints: ['有投诉', 'With a complaint'], complaint_rate: ['投诉率', 'Complaint rate'], complaints: ['投诉', 'Complaints'],
  complaints_per_100_orders: ['每百单投诉', 'Complaints per 100 orders'], with_praise: ['有好评', 'With praise'],
  praise_rate: ['好评率', 'Praise rate'], praise: ['好评', 'Praise'], praise_per_complaint: ['好评/投诉', 'Praise per complaint'],
  with_suggestions: ['有建议', 'With a suggestion'], suggestion_rate: ['建议率', 'Suggestion rate'], suggestions: ['建议', 'Suggestions'],
};

let lang = localStorage.getItem('kexi.lang') === 'en' ? 'en' : 'zh';
const listeners = [];

export const getLang = () => lang;

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh';
  localStorage.setItem('kexi.lang', lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const f of listeners) f(lang);
}

export const onLang = (f) => listeners.push(f);

/** A UI string, with {name} placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const pair = STRINGS[key];
  let s = pair ? pair[lang === 'zh' ? 0 : 1] : key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** A {zh, en} text from the report. */
export const tx = (text) => (text == null ? '' : typeof text === 'string' ? text : (text[lang] ?? text.zh ?? ''));

/** A column name. */
export const col = (key) => (COLUMNS[key] ? COLUMNS[key][lang === 'zh' ? 0 : 1] : key);

const nf = () => new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: 2 });

export function num(x, digits) {
  if (x == null || Number.isNaN(x)) return '—';
  if (typeof digits === 'number')
    return new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(x);
  return nf().format(x);
}

/** Shares, rates and growth are percents (0–100) in the report. */
export const pct = (x) => (x == null || Number.isNaN(x) ? '—' : `${num(x, 1)}%`);

/** Short money for chart axes: 3万, 1.5亿, 2M. */
export function moneyShort(x) {
  if (x == null || Number.isNaN(x)) return '';
  const a = Math.abs(x);
  if (lang === 'zh' && a >= 1e8) return `${num(x / 1e8, 1).replace(/\.0$/, '')}亿`;
  if (lang === 'zh' && a >= 1e4) return `${num(x / 1e4, 0)}万`;
  if (lang === 'en' && a >= 1e6) return `${num(x / 1e6, 1).replace(/\.0$/, '')}M`;
  if (lang === 'en' && a >= 1e3) return `${num(x / 1e3, 0)}k`;
  return num(x, 0);
}

export function money(x) {
  if (x == null || Number.isNaN(x)) return '—';
  const a = Math.abs(x);
  if (lang === 'zh' && a >= 1e8) return `${num(x / 1e8, 2)}亿`;
  if (lang === 'zh' && a >= 1e4) return `${num(x / 1e4, 2)}万`;
  if (lang === 'en' && a >= 1e6) return `${num(x / 1e6, 2)}M`;
  return num(x, 2);
}
