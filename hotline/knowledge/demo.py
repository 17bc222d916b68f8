"""Demo articles (P1), written from the utility charters in the project's seeds: the service
pledges (计划停水告知、抢修时限、报装时限、水质投诉4小时到场), the hotline's procedure
(咨询水价、计划停水、用水申请程序类直接告知客户) and the business hall's duties (新装、更名、
过户、校表、销户). Safe to run again: an article whose Chinese title exists is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.knowledge.models import Article
from hotline.knowledge.services import ArticleText, create_article, update_article

ARTICLES: list[tuple[str, str, str, str, str]] = [
    ("prices", "水费怎样计算", "How the water bill is worked out",
     "水费按水表计量的用水量计算：抄表员按期抄见水表读数，本期读数减上期读数即为本期用水量。\n"
     "收费标准执行政府价格主管部门的规定，公司实行收费公示，不自行定价。居民生活用水实行阶梯水价，"
     "各阶梯的水量和单价以本市价格主管部门公布的标准为准，营业厅和公司网站均有公示。\n"
     "水费账单一般包含水费和代征的污水处理费等项目，客户可凭户号查询每一项的金额。\n"
     "答复要点：先核对户号和抄表日期，再按公示标准解释；对水量有疑问的，按《水费或抄表有疑问》处理。",
     "The bill follows the metered use: the meter reader records the meter each period, and this "
     "reading minus the last one is the period's use.\n"
     "Prices are set by the government's pricing authority and published; the utility does not "
     "set them itself. Households pay tiered prices; the volume and price of each tier are those "
     "the city's pricing authority publishes, shown in the business hall and on the website.\n"
     "A bill usually carries the water charge and the sewage charge collected with it; the "
     "customer can ask for each amount by account number.\n"
     "When answering: check the account number and reading date first, then explain with the "
     "published prices; if the volume is in doubt, see \"Questioning a bill or meter reading\"."),
    ("prices", "缴纳水费的方式与逾期缴费", "Paying the bill, and paying late",
     "缴费方式：营业厅收费窗口现场缴纳；与银行（信用社）签订代扣水费协议书后按月自动扣缴；"
     "热线提供语音自助查询和人工查询水费。\n"
     "用户应按时缴纳水费。逾期未缴的，公司可按规定收取滞纳金或采取限制供水等措施，"
     "因此请提醒客户保持缴费信息准确、及时缴费，以免因拖欠导致供水中断。\n"
     "客户已缴费但系统仍显示欠费的，记下缴费时间、方式和凭证号，登记工单转营业收费部门核实。",
     "Ways to pay: at the business hall's cashier; by monthly direct debit after signing the "
     "bank (credit union) direct-debit agreement. The hotline tells the amount due by its "
     "self-service menu or by an agent.\n"
     "Bills must be paid on time. Unpaid bills may incur a late fee under the regulations or a "
     "restricted supply, so remind the customer to keep payment details current and pay on time "
     "so that the supply is not cut for arrears.\n"
     "If the customer has paid but the account still shows arrears, note the time, the way and "
     "the receipt number, and open an order for the billing office to check."),
    ("prices", "对水费或抄表有疑问", "Questioning a bill or meter reading",
     "抄表收费类问题按区域转相应的供水分公司，分公司迅速调查落实，并将处理结果直接反馈客户。\n"
     "客户反映水表计量不准的，公司及时上门处理；客户可申请校表（水表检定），由营业厅受理。\n"
     "答复前先请客户自查：关闭家中所有用水器具，观察水表是否仍在走动；若仍走动，可能是户内管道或"
     "马桶水箱漏水，属客户内部故障的，引导客户排除或请维修人员处理。",
     "Reading and billing questions go to the branch of the caller's area, which looks into them "
     "at once and answers the customer directly.\n"
     "When a customer says the meter is wrong, the utility comes to check it; the customer may "
     "also ask the business hall for a meter test.\n"
     "Before answering, ask the customer to check: close every tap and appliance and watch the "
     "meter. If it still turns, a pipe or a cistern inside the home is probably leaking; that is "
     "the customer's own installation, and the agent helps them find it or call a plumber."),
    ("procedures", "新装用水（报装）怎么办理", "Applying for a new water connection",
     "报装申请手续齐全的，当即登记；5个工作日内组织现场勘查。\n"
     "单户或小型用户报装，3个工作日内完成设计（须规划部门确定供水管线位置的，在规划部门定线后计算）；"
     "具备施工条件的小用户，5个工作日内完成施工交付使用；单位工程5个工作日内安排人员进场施工"
     "（以协议约定为准），保证质量，做到工完场清。\n"
     "热线可直接告知以上程序；客户要办理的，登记“用水报装”工单，按勘查、设计、施工三个阶段跟进。",
     "A complete application is registered at once; the site survey is arranged within 5 "
     "working days.\n"
     "For a single household or a small customer the design is done within 3 working days "
     "(after the planning office has fixed the pipe's route, where it must). A small customer "
     "whose site is ready gets the work finished and handed over within 5 working days; for a "
     "company's project the crew starts within 5 working days (or as the contract says), and "
     "leaves the site clean.\n"
     "The hotline tells callers this procedure directly; to apply, open a connection order, "
     "followed through survey, design and construction."),
    ("procedures", "过户、更名办理", "Changing the account holder or name",
     "更名、过户在营业厅办理。一般需提供：新户主身份证、房屋产权证明（或买卖、继承等变更证明），"
     "并结清原户的水费；具体材料以营业厅告知为准。\n"
     "办理时营业厅核对户号、水表号和当日水表读数，读数之前的水费由原户主结清，之后的由新户主缴纳。\n"
     "代扣水费的，过户后须由新户主重新签订代扣协议。",
     "Changes of holder or name are made at the business hall. Usually needed: the new holder's "
     "ID card, proof of ownership (or of the sale or inheritance), and the old account's bills "
     "paid; the business hall says exactly what.\n"
     "The hall checks the account number, the meter number and the day's reading: water up to "
     "that reading is paid by the old holder, after it by the new one.\n"
     "A direct debit must be signed again by the new holder after the change."),
    ("procedures", "销户、校表与用水性质变更", "Closing an account, meter tests and change of use",
     "营业厅受理客户各类新装、管网改迁、水表改迁、用水性质变更、更名、过户、校表、销户等申请。\n"
     "销户：结清水费后申请，由公司拆表或封表。\n"
     "校表：客户对水表计量有疑问时申请，由水表检定站检定。\n"
     "用水性质变更（如居民改经营）：按变更后的用水性质执行相应收费标准。\n"
     "热线可直接告知办理地点和所需材料；客户不能到场的，登记工单由营业厅联系。",
     "The business hall takes applications for new connections, moving mains or meters, a "
     "change of use, a change of name or holder, a meter test and closing an account.\n"
     "Closing: once the bills are paid, the utility removes or seals the meter.\n"
     "Meter test: when the customer doubts the meter, the meter testing station tests it.\n"
     "Change of use (e.g. a home becomes a shop): the prices of the new use apply.\n"
     "The hotline tells where to go and what to bring; if the customer cannot come, open an "
     "order and the business hall calls back."),
    ("outages", "计划停水提前多久通知", "How much notice a planned outage gets",
     "计划停水12小时以内的，提前24小时告知用户；超过12小时的，报主管部门审批后，提前48小时告知用户"
     "（特殊情况除外）。\n"
     "停水原因、停水时间、停水范围及恢复供水时间通过新闻媒体、公众号、小区公告或其他方式告知用户；"
     "小范围停水以电话或短信方式告知。\n"
     "接到来电先查“停水公告”：在公告范围内的，如实告知原因和预计恢复时间，无需派单。",
     "A planned outage of up to 12 hours is announced at least 24 hours ahead; a longer one needs "
     "the authority's approval and is announced at least 48 hours ahead (save in special "
     "cases).\n"
     "Cause, time, extent and expected restoration are published in the media, on the public "
     "account, on estate notice boards or otherwise; a small outage is announced by phone or "
     "SMS.\n"
     "On a call, check the outage notices first: if the caller is inside a notice's extent, tell "
     "the cause and the expected restoration truthfully; no order is needed."),
    ("outages", "突发停水与抢修时限", "Unplanned outages and repair times",
     "公司设24小时供水值班热线，接到报漏后维修部门立即组织抢修：市区20分钟内、郊区30分钟内到达现场，"
     "做到小修不过夜，大修连续干。\n"
     "用户问询因管网事故、管网施工等公司自身原因引起的停水时，首先主动致歉，并如实详细地告知原因。\n"
     "突发供水事故确定原因和停水范围后，抢修负责人实时向热线通报抢修进度，由热线及时告知用户。\n"
     "不在任何停水公告范围内的停水，登记“无水”工单，详细询问地址和附近标志性建筑物。",
     "The utility keeps a 24-hour supply hotline; on a leak report the repair crew sets out at "
     "once: on site within 20 minutes in the city, 30 minutes in the suburbs. Small repairs are "
     "finished the same night, big ones worked on without a break.\n"
     "When a caller asks about an outage caused by the utility (a burst main, works on the "
     "network), apologise first and explain the cause truthfully and in detail.\n"
     "Once a burst's cause and extent are known, the repair lead reports progress to the "
     "hotline, which passes it on to callers.\n"
     "An outage no notice covers is logged as a no-water order, with the address and a nearby "
     "landmark."),
    ("outages", "恢复供水后注意什么", "What to do when the supply comes back",
     "恢复供水初期，管道内的空气和沉积物可能使水短时发白（气泡）或发黄、浑浊。\n"
     "请客户先打开离水表最近的龙头放水几分钟，至水清后再使用；放水期间不要使用热水器和洗衣机。\n"
     "水压偏低的，多为管道充水尚未完成，一般稍后恢复；持续低压或放水后仍浑浊的，登记工单。",
     "When the supply returns, air and sediment in the pipes may make the water white (bubbles), "
     "yellow or cloudy for a short time.\n"
     "Ask the customer to run the tap nearest the meter for a few minutes until the water is "
     "clear before using it, and not to run the water heater or washing machine meanwhile.\n"
     "Low pressure usually means the pipes are still filling and soon passes; if the pressure "
     "stays low or the water stays cloudy after running, open an order."),
    ("water_quality", "自来水发黄、浑浊怎么办", "Yellow or cloudy tap water",
     "公司按国家生活饮用水卫生标准对水源水、出厂水、管网末梢水进行检测，保证水质达标。\n"
     "停水检修后出现的短时发黄、浑浊，放水几分钟通常即可变清（见《恢复供水后注意什么》）。\n"
     "放水后仍发黄、浑浊或有异味的，登记“水质”工单：对用户提出的水质投诉，4小时内赶到现场采样化验，"
     "出示检测结果和报告，若有异常，立即采取相应处理措施。\n"
     "水质问题转水质监测站：一般问题由监测站直接作出解释，非一般问题到现场取水样分析并出具结果。",
     "The utility tests source water, treated water and water at the ends of the network against "
     "the national drinking-water standard.\n"
     "Short-lived yellow or cloudy water after repairs usually clears after running the tap for a "
     "few minutes (see \"What to do when the supply comes back\").\n"
     "If it stays yellow, cloudy or smells after running, open a water-quality order: on a "
     "water-quality complaint the utility is on site within 4 hours to take samples, shows the "
     "test results and report, and acts at once if anything is wrong.\n"
     "Water-quality questions go to the monitoring station: it explains ordinary ones directly "
     "and samples and tests the others."),
    ("water_quality", "申请水质检测", "Asking for a water test",
     "用户可以按需申请对自家供水水质进行检测。\n"
     "受理时记录户号、地址、现象（颜色、气味、是否有杂质）和出现时间，并询问是否为二次供水"
     "（高层水箱）用户：二次供水设施由物业管理的，同时提醒客户联系物业清洗水箱。\n"
     "检测由水质监测站上门取样，检测结果反馈客户。",
     "Customers may ask for their own tap water to be tested.\n"
     "Record the account, the address, what they see (colour, smell, particles) and since when, "
     "and ask whether the building has secondary supply (a roof tank): where the estate "
     "management runs the tank, also suggest they ask it to clean the tank.\n"
     "The monitoring station samples at the home and tells the customer the results."),
]
# A correction the demo saves as a second revision (the history has something to show).
REVISED = ("计划停水提前多久通知",
           "\n停水信息由工程部门在停水前提前通报热线，热线录入系统后，各单位均可查询。",
           "\nThe works department tells the hotline before the outage; once the hotline enters it, "
           "every unit can look it up.",
           "补充：停水信息由工程部门通报热线")


def load_articles(session: Session, now: datetime) -> None:
    editor = session.scalar(select(User).where(User.role == "supervisor", User.active.is_(True))
                            .order_by(User.id).limit(1))
    if editor is None:
        return
    known = set(session.scalars(select(Article.title_zh)))
    written = now - timedelta(days=20)
    for category, title_zh, title_en, body_zh, body_en in ARTICLES:
        if title_zh in known:
            continue
        article = create_article(session, editor, ArticleText(
            category=category, title_zh=title_zh, title_en=title_en, body_zh=body_zh,
            body_en=body_en), note="依据供水服务承诺和热线工作流程编写", now=written)
        if title_zh == REVISED[0]:
            update_article(session, article, editor, ArticleText(
                category=category, title_zh=title_zh, title_en=title_en,
                body_zh=body_zh + REVISED[1], body_en=body_en + REVISED[2]),
                expected_revision=1, note=REVISED[3], now=now - timedelta(days=3))
